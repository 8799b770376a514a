@failures
Feature: Faults are survived, answered cleanly, and lose nothing
  Databases go away, connections get killed, queries hang, writers collide and
  partners time out. When that happens the service tells the caller plainly
  what to do (usually: try again shortly), shows no internals, keeps what was
  already saved, and saves nothing by halves. Then it carries on by itself.

  Background:
    Given the tenant Acme

  @committed_data
  Rule: While the database is unreachable, callers are asked to come back later

    Scenario: Readiness reports the service as not ready
      Given the service has lost its database
      When operations ask whether the service is ready
      Then the answer is 503 with the error "service_unavailable"
      And the answer asks the caller to retry later

    Scenario: A tenant's request is refused cleanly
      Given Alice is a member of Acme
      And the service has lost its database
      When Acme adds Bob with the email "bob@acme.example"
      Then the answer is 503 with the error "service_unavailable", saying "The service is temporarily unavailable; try again shortly.", and asks the caller to retry later
      And Acme has exactly 1 user stored

    Scenario: The service recovers by itself once the database is back
      Given Alice is a member of Acme
      And the service lost its database while serving Acme
      When the database comes back
      And Acme lists its users
      Then the list shows exactly Alice

  @committed_data
  Rule: A connection killed or stuck in the middle of a request fails that request only

    Scenario: A database connection killed during a request
      Given Acme's counter "visits" stands at 5
      When Acme's increment of "visits" loses its database connection midway
      Then the answer is 503 with the error "service_unavailable", saying "The service is temporarily unavailable; try again shortly.", and asks the caller to retry later
      And Acme's counter "visits" is stored as 5
      And Acme can still read its counter "visits" as 5

    Scenario: A request that runs past the statement time limit
      Given Acme's counter "visits" stands at 5
      And the service allows each database statement a short time only
      When Acme increments its counter "visits" while a batch job holds it
      Then the answer is 503 with the error "database_timeout", saying "The service took too long to answer; nothing was saved. Try again shortly.", and asks the caller to retry later
      And the service has given all its database connections back
      And Acme's counter "visits" is stored as 5

  @committed_data
  Rule: A request that finds no free database connection in time is asked to come back

    Scenario: Other work holds every database connection
      Given Alice is a member of Acme
      And the service has 1 database connection to share
      When Acme lists its users while other work holds every database connection
      Then the answer is 503 with the error "service_unavailable", saying "The service is temporarily unavailable; try again shortly.", and asks the caller to retry later
      And the service has given all its database connections back

  @committed_data
  Rule: Two writers that deadlock are retried a bounded number of times, and no write is lost

    Scenario: The service retries the loser and then sees the winner's change
      Given Alice is a member of Acme
      And a clerk of Acme has begun adding Carol with the email "carol@acme.example"
      When Acme changes Alice's email to "carol@acme.example" while the clerk renames Alice to "Alicia"
      Then the answer is 409 with the error "email_taken"
      And Alice is stored in Acme with the name "Alicia"
      And Acme has a user with the email "carol@acme.example" stored

    Scenario: When the retries are used up the caller is asked to try again
      Given Alice is a member of Acme
      And the service makes a single attempt at each write
      And a clerk of Acme has begun adding Carol with the email "carol@acme.example"
      When Acme changes Alice's email to "carol@acme.example" while the clerk renames Alice to "Alicia"
      Then the answer is 409 with the error "write_conflict", saying "Another change to the same data got in the way; nothing was saved. Try again.", and asks the caller to retry later
      And Alice is stored in Acme with the name "Alicia"
      And Acme has a user with the email "carol@acme.example" stored

  Rule: A bug in the service is a clean error for the caller and a full trace in the log

    Scenario: An unexpected error while listing users
      Given Alice is a member of Acme
      And the service has a bug in finding a request's tenant
      When Acme lists its users
      Then the answer is 500 with the error "internal_error", saying "Something went wrong on our side; it has been logged."
      And the answer shows no internals
      And the server log holds the trace for the answer's request id

  Rule: An invitation is recorded only when the e-mail provider has accepted it

    Scenario: Inviting a user
      Given Alice is a member of Acme
      When Acme invites Alice
      Then the answer is 202
      And the e-mail provider was asked to invite Alice to Acme
      And Alice is stored in Acme as invited

    Scenario Outline: Nothing is recorded when the e-mail provider <behaviour>
      Given Alice is a member of Acme
      And the e-mail provider <behaviour>
      When Acme invites Alice
      Then the answer is <status> with the error "<code>"
      And the answer shows no internals
      And Alice is stored in Acme as not invited

      Examples:
        | behaviour                    | status | code                   |
        | does not answer in time      | 504    | email_provider_timeout |
        | cannot be reached            | 502    | email_provider_failed  |
        | fails with a server error    | 502    | email_provider_failed  |
        | answers with garbage         | 502    | email_provider_failed  |
        | answers without a message id | 502    | email_provider_failed  |

  @committed_data
  Rule: A slow e-mail provider holds up some invitations, never the whole service

    Scenario: Operations hear that the service is alive and ready while invitations wait on a slow provider
      Given Alice is a member of Acme
      And the service has 4 worker threads, and lets at most 2 invitations wait on the e-mail provider
      And a slow e-mail provider that holds every message until the scenario lets it answer
      When Acme invites Alice 6 times at once, and operations ask about the service while the provider holds them
      Then operations heard that the service is alive and ready while the invitations still waited

    Scenario: Invitations beyond what may wait on a slow provider are refused at once, to try again later
      Given Alice is a member of Acme
      And the service has 4 worker threads, and lets at most 2 invitations wait on the e-mail provider
      And a slow e-mail provider that holds every message until the scenario lets it answer
      When Acme invites Alice 6 times at once, and operations ask about the service while the provider holds them
      Then 4 invitations were refused at once with 503 and the error "email_provider_busy", while the others still waited
      And the 2 that waited were accepted once the provider answered

  Rule: A tenant whose data is not ready is told to come back, and the others are served

    With a schema per tenant, each tenant's schema is migrated on its own: an upgrade
    reaches some tenants before others, and a tenant can be registered before its
    schema exists. Such a tenant is refused in the one error shape, never with a fault.

    @schemas_only
    Scenario: A tenant whose schema an upgrade has not reached yet is told to come back
      Given the tenant Globex
      And Globex's schema is one migration behind
      When Globex lists its users
      Then the answer is 503 with the error "tenant_unavailable"
      And the answer says when to try again

    @schemas_only
    Scenario: Tenants the upgrade has reached are served meanwhile
      Given the tenant Globex
      And Globex's schema is one migration behind
      And Alice is a member of Acme
      When Acme lists its users
      Then the list shows exactly Alice

    @schemas_only
    Scenario: A person of a tenant whose schema an upgrade has not reached cannot sign in yet
      Given the tenant Globex
      And Gina, an admin of Globex, has the password "correct horse battery staple"
      And Globex's schema is one migration behind
      When Gina signs in to Globex with the password "correct horse battery staple"
      Then the answer is 503 with the error "tenant_unavailable"
      And the answer holds no token

    @schemas_only
    Scenario: A tenant registered before its schema exists is told to come back
      Given the tenant Initech, whose schema is not created yet
      When an admin of Initech with a valid token lists its users
      Then the answer is 503 with the error "tenant_unavailable"
      And the answer says when to try again

    @schemas_only @committed_data
    Scenario: A tenant whose schema is being upgraded right now is told to come back at once
      Given the tenant Globex
      And Globex's schema is one migration behind
      When Globex lists its users while its schema is being migrated
      Then the answer is 503 with the error "tenant_unavailable"
      And the answer says when to try again
