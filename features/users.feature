@users
Feature: Managing the users of a tenant
  A tenant keeps a directory of its people: it adds them, looks them up,
  corrects their details and removes them. Bad input is refused with a
  message that names what is wrong, and leaves the directory as it was.

  Background:
    Given the tenant Acme

  Scenario: Adding a user
    When Acme adds Alice with the email "alice@acme.example"
    Then the answer is 201
    And Alice is stored in Acme with the email "alice@acme.example" as a member

  Scenario: An email that differs only in capitals is the same email
    Given Acme has a user with the email "sam@example.com"
    When Acme adds Sam with the email "SAM@Example.com"
    Then the answer is 409 with the error "email_taken", saying "A user with the email sam@example.com already exists."
    And Acme has exactly 1 user stored

  Scenario: Paging through the users returns each one exactly once, oldest first
    Given Acme has 5 users
    When Acme pages through its users 2 at a time
    Then the pages hold 2, 2 and 1 users
    And every user appears exactly once, oldest first

  Scenario: A tenant without users lists none
    When Acme lists its users
    Then the list is empty

  Scenario: A tenant with one seat adds its first user
    Given the tenant Initech with 1 seat
    When Initech adds Alice with the email "alice@initech.example"
    Then the answer is 201
    And Initech has exactly 1 user stored

  Scenario: Reading a user's details
    Given Alice is a member of Acme
    When Acme reads Alice's details
    Then the answer is 200
    And the details show Alice with her email

  Scenario: Reading a user who does not exist
    When Acme reads a user that does not exist
    Then the answer is 404 with the error "not_found"

  Scenario: Correcting a user's name
    Given Alice is a member of Acme
    When Acme renames Alice to "Alicia"
    Then the answer is 200
    And Alice is stored in Acme with the name "Alicia"

  Scenario: An email already in use cannot be taken by someone else
    Given Alice is a member of Acme
    And Acme has a user with the email "sam@example.com"
    When Acme changes Alice's email to "sam@example.com"
    Then the answer is 409 with the error "email_taken", saying "A user with the email sam@example.com already exists."
    And Alice is stored in Acme unchanged

  Scenario: Removing a user
    Given Alice is a member of Acme
    When Acme removes Alice
    Then the answer is 204
    And Alice is no longer stored in Acme

  Rule: Bad input is refused, names the field, and stores nothing

    Scenario Outline: A new user whose <field> <problem> is refused
      When Acme adds a user whose <field> is <value>
      Then the answer is 422 with the error "validation_failed"
      And the error names the field "<field>"
      And Acme has no users stored

      Examples:
        | field    | problem                 | value          |
        | name     | is missing              | missing        |
        | name     | is blank                | "   "          |
        | name     | is a number             | 42             |
        | email    | is not an email address | "not-an-email" |
        | email    | is missing              | missing        |
        | role     | is not a known role     | "owner"        |
        | nickname | is not a field we know  | "Al"           |

    Scenario: A change that changes nothing is refused
      Given Alice is a member of Acme
      When Acme sends Alice an empty change
      Then the answer is 422 with the error "validation_failed"
      And Alice is stored in Acme unchanged

  Rule: A request sent again under its idempotency key adds the user only once

    Scenario: Repeating a request under its idempotency key answers as the first time
      Given Acme added Sam under the idempotency key "sam-1"
      When Acme adds Sam under the idempotency key "sam-1"
      Then the answer is the same as the first time
      And Acme has exactly 1 user stored

    Scenario: An idempotency key used again for other details is refused
      Given Acme added Sam under the idempotency key "sam-1"
      When Acme adds Kim under the idempotency key "sam-1"
      Then the answer is 422 with the error "idempotency_key_reused"
      And Acme has exactly 1 user stored

    Scenario: Each tenant has its own idempotency keys
      Given the tenant Globex
      And Globex added Sam under the idempotency key "sam-1"
      When Acme adds Sam under the idempotency key "sam-1"
      Then the answer is 201
      And Acme has exactly 1 user stored

    Scenario: Repeating one of several requests answers as that one did
      Given Acme added Sam under the idempotency key "sam-1"
      And Acme added Ann under the idempotency key "ann-1"
      When Acme adds Sam under the idempotency key "sam-1"
      Then the answer is the same as the first time
      And Acme has exactly 2 users stored

    @tenant_isolation
    Scenario: A repeat is answered from the tenant's own key, though another tenant used the same key since
      Given the tenant Globex
      And Globex added Sam under the idempotency key "sam-1"
      And Acme added Sam under the idempotency key "sam-1"
      When Globex adds Sam under the idempotency key "sam-1"
      Then the answer is the same as the first time
      And Globex has exactly 1 user stored

    Scenario: An idempotency key older than its retention starts a new request
      Given idempotency keys are kept for 24 hours
      And Acme added Sam under the idempotency key "sam-1" 25 hours ago
      And Acme added Ann under the idempotency key "ann-1" 30 hours ago
      When Acme adds Kim under the idempotency key "sam-1"
      Then the answer is 201
      And Acme keeps no idempotency key older than 24 hours

    Scenario: Within its retention an idempotency key still answers as the first time
      Given idempotency keys are kept for 24 hours
      And Acme added Sam under the idempotency key "sam-1" 23 hours ago
      When Acme adds Sam under the idempotency key "sam-1"
      Then the answer is the same as the first time
      And Acme has exactly 1 user stored

    @tenant_isolation
    Scenario: Another tenant's expired key of the same name leaves a tenant's live key alone
      Given idempotency keys are kept for 24 hours
      And the tenant Globex
      And Globex added Sam under the idempotency key "sam-1" 25 hours ago
      And Acme added Sam under the idempotency key "sam-1"
      When Acme adds Sam under the idempotency key "sam-1"
      Then the answer is the same as the first time
      And Acme has exactly 1 user stored

    @tenant_isolation
    Scenario: A tenant's requests clear only its own expired idempotency keys
      Given idempotency keys are kept for 24 hours
      And the tenant Globex
      And Acme added Sam under the idempotency key "sam-1" 25 hours ago
      And Globex added Sam under the idempotency key "sam-1"
      When Acme adds Kim under the idempotency key "kim-1"
      And Globex adds Sam under the idempotency key "sam-1"
      Then the answer is the same as the first time
      And Globex has exactly 1 user stored
