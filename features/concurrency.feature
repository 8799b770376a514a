@concurrency @committed_data
Feature: Requests at the same moment lose nothing, break no limit, leak nothing
  Many people use the service at once. Requests that arrive together must each
  count exactly once, respect the tenant's limits, and never mix up tenants:
  the same outcome as if they had come one after another.

  These scenarios send real requests at the same moment to a real server,
  each on its own database connection.

  Rule: Nothing is lost or doubled

    Scenario: Fifty people added at the same moment are all stored
      Given the tenant Acme
      When Acme adds 50 different people at the same moment
      Then every one of the 50 answers is 201
      And Acme has exactly 50 users stored

    Scenario: One email sent ten times at once is stored once
      Given the tenant Acme
      When Acme adds Sam with the email "sam@acme.example" 10 times at the same moment
      Then exactly 1 answer is 201
      And the other 9 answers are 409 with the error "email_taken"
      And Acme has exactly 1 user stored

    Scenario: A hundred increments at once all count
      Given the tenant Acme
      And Acme's counter "visits" stands at 0
      When Acme increments its counter "visits" 100 times at the same moment
      Then the answers show every value from 1 to 100 once
      And Acme's counter "visits" is stored as 100

    Scenario: A request repeated at once under one idempotency key adds the person once
      Given the tenant Acme
      When Acme adds Sam 10 times at the same moment under one idempotency key
      Then every one of the 10 answers is 201
      And all 10 answers are identical
      And Acme has exactly 1 user stored

  Rule: A tenant's limits hold, however many arrive together

    Scenario Outline: Forty people arriving at once for five seats
      Given the tenant Acme with 5 seats
      When Acme adds 40 different people at the same moment, <keyed>
      Then exactly 5 answers are 201
      And the other 35 answers are 409 with the error "seat_limit_reached"
      And Acme has exactly 5 users stored

      Examples:
        | keyed                                                  |
        | none under an idempotency key                          |
        | each under an idempotency key of its own               |
        | half under idempotency keys of their own, half without |

    Scenario: Twenty API keys created at once with room for five more
      Given the tenant Acme with room for 6 active API keys
      And Acme has the admin API key "deploy"
      When the "deploy" key creates 20 API keys for Acme at the same moment
      Then exactly 5 answers are 201
      And the other 15 answers are 409 with the error "api_key_limit_reached"
      And Acme has 6 active API keys stored

    Scenario: Twenty new counters started at once with room for five
      Given the tenant Acme with room for 5 counters
      When Acme starts 20 new counters at the same moment
      Then exactly 5 answers are 200
      And the other 15 answers are 409 with the error "counter_limit_reached"
      And Acme has exactly 5 counters stored

  Rule: Tenants stay apart under load

    Scenario: Two tenants busy at the same moment never see each other's people
      Given the tenant Acme
      And the tenant Globex
      When Acme and Globex each send 40 requests at the same moment, adding and listing their users
      Then no answer to Acme shows anything of Globex's
      And no answer to Globex shows anything of Acme's
      And each of Acme and Globex has exactly the people it added stored

  Rule: A person changed and removed at the same moment is changed first or already gone
    Whichever request comes second is answered as if it had come alone after the
    first: a change to someone already removed finds no one, never an error. An
    invitation tells the truth about its e-mail: answered as sent only if it went out.

    Scenario Outline: Removing people while the same people get <rival>
      Given the tenant Acme
      And Acme has 40 users
      When Acme removes each of its users and sends each <rival> at the same moment
      Then each of them is removed exactly once
      And every other answer is <done> or 404 with the error "not_found"
      And Acme has no users stored

      Examples:
        | rival            | done |
        | a new name       | 200  |
        | a new email      | 200  |
        | a second removal | 204  |

    Scenario: Inviting people while they are removed
      Given the tenant Acme
      And Acme has 40 users
      When Acme removes each of its users and sends each an invitation at the same moment
      Then each of them is removed exactly once
      And an invitation e-mail went out for every invitation answered 202, and for no other
      And every other answer is 202 or 404 with the error "not_found"

  Rule: Overlapping changes never deadlock

    Scenario: Changes to the same counters in opposite orders all finish
      Given the tenant Acme
      When Acme increments the counters "visits, orders, refunds" 30 times at the same moment, in varying orders
      Then every one of the 30 answers is 200
      And Acme's counters "visits, orders, refunds" are each stored as 30

  Rule: Sign-ins crowd out no one, and get no further together than one by one

    Scenario: A flood of sign-ins leaves another tenant's work untouched
      Given the tenant Acme
      And the tenant Globex
      And passwords are checked at production cost, with 1 database connection to share
      When 28 sign-ins with made-up emails reach Acme while Globex reads its users and operations check liveness
      Then every one of Globex's reads and liveness checks succeeded
      And every sign-in was refused as a wrong password, or asked to retry later

    Scenario: Twenty wrong guesses at once get no further than five
      Given the tenant Acme
      And Alice, an admin of Acme, has the password "correct horse battery staple"
      And the service checks up to 20 passwords at once
      When someone guesses Alice's password 20 times at the same moment
      Then exactly 5 answers are 401
      And exactly 15 answers are 429
      And Acme has 5 failed sign-ins stored for Alice

  Rule: A long job that holds one tenant's records holds up no other tenant

    Scenario: Globex keeps working while Acme's requests queue behind a long batch job
      Given the tenant Acme
      And the tenant Globex
      And Acme's counter "visits" stands at 5
      And the service has 4 database connections to share
      When Acme's increments of "visits" pile up behind a batch job holding it, while Globex reads its users
      Then every one of Globex's reads succeeded
      And Acme's counter "visits" is stored as the 5 it stood at plus every increment answered 200
