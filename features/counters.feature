@counters
Feature: Named counters
  Each tenant keeps named counters (visits, orders shipped, ...) that go up by
  exactly one at a time and never lose a step.

  Background:
    Given the tenant Acme

  Scenario: A new counter starts at one
    When Acme increments its counter "visits"
    Then the counter shows 1
    And Acme's counter "visits" is stored as 1

  Scenario: Each increment adds exactly one
    Given Acme's counter "visits" stands at 41
    When Acme increments its counter "visits"
    Then the counter shows 42
    And Acme's counter "visits" is stored as 42

  Scenario: Reading one counter among several
    Given Acme's counter "visits" stands at 3
    And Acme's counter "orders" stands at 5
    When Acme reads its counter "orders"
    Then the counter shows 5

  Scenario: A counter that was never incremented is not found
    When Acme reads its counter "refunds"
    Then the answer is 404 with the error "not_found"

  Scenario: Counters with the same name are separate for each tenant
    Given the tenant Globex
    And Globex's counter "visits" stands at 10
    When Acme increments its counter "visits"
    Then the counter shows 1
    And Globex's counter "visits" is stored as 10

  Scenario: Several counters go up by one together
    Given Acme's counter "visits" stands at 4
    When Acme increments its counters "visits, orders" together
    Then the answer is 200
    And Acme's counter "visits" is stored as 5
    And Acme's counter "orders" is stored as 1

  Scenario: A counter named twice in one go is refused
    When Acme increments its counters "visits, visits" together
    Then the answer is 422 with the error "validation_failed"
    And Acme has no counters stored

  Scenario: A counter name must be a simple lower-case word
    When Acme increments its counter "Visits Today!"
    Then the answer is 422 with the error "validation_failed"
    And Acme has no counters stored

  Rule: A tenant keeps only so many counters, and those it has still count

    Scenario Outline: Starting "<names>" with room for <room> counters is refused
      Given Acme has room for <room> counters
      And Acme's counters "visits, orders" stand at 5
      When Acme increments its counters "<names>" together
      Then the answer is 409 with the error "counter_limit_reached"
      And Acme's counters "visits, orders" are each stored as 5
      And Acme has exactly 2 counters stored

      Examples:
        | room | names            |
        | 2    | refunds          |
        | 2    | visits, refunds  |
        | 3    | refunds, returns |

    Scenario: A single new counter past the tenant's room is refused
      Given Acme has room for 2 counters
      And Acme's counters "visits, orders" stand at 5
      When Acme increments its counter "refunds"
      Then the answer is 409 with the error "counter_limit_reached"
      And Acme has exactly 2 counters stored

    Scenario: With no room left, the counters a tenant has still go up
      Given Acme has room for 2 counters
      And Acme's counters "visits, orders" stand at 5
      When Acme increments its counters "visits, orders" together
      Then the answer is 200
      And Acme's counters "visits, orders" are each stored as 6

    Scenario: A tenant starts as many counters at once as it has room for
      Given Acme has room for 2 counters
      When Acme increments its counters "visits, orders" together
      Then the answer is 200
      And Acme has exactly 2 counters stored

    Scenario: With room for one more, counters it has and one new go up together
      Given Acme has room for 3 counters
      And Acme's counters "visits, orders" stand at 5
      When Acme increments its counters "visits, refunds" together
      Then the answer is 200
      And Acme has exactly 3 counters stored

    @tenant_isolation
    Scenario: Another tenant's counter of the same name is no counter of this tenant's
      Given the tenant Globex
      And Globex's counter "refunds" stands at 1
      And Acme has room for 2 counters
      And Acme's counters "visits, orders" stand at 5
      When Acme increments its counter "refunds"
      Then the answer is 409 with the error "counter_limit_reached"
      And Acme has exactly 2 counters stored
