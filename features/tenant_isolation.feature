@tenant_isolation
Feature: Tenants are kept apart
  Acme and Globex are two customers sharing one service and one database.
  Whatever one of them stores, the other can neither see nor change:
  not by listing, not by guessing an id, not through any endpoint.

  Background:
    Given the tenant Acme
    And the tenant Globex

  Rule: A tenant sees only its own records

    Scenario: Each tenant lists only its own users
      Given Alice is a member of Acme
      And Bob is a member of Globex
      When Globex lists its users
      Then the list shows exactly Bob

    Scenario: Each tenant reads only its own counters
      Given Acme's counter "visits" stands at 7
      And Globex's counter "visits" stands at 2
      When Globex reads its counter "visits"
      Then the counter shows 2

  Rule: Another tenant's user cannot be read, changed or removed, even by id

    Scenario Outline: Globex cannot <action> a user of Acme
      Given Alice is a member of Acme
      When Globex tries to <action> Alice by her id
      Then the answer is 404 with the error "not_found"
      And Alice is stored in Acme unchanged

      Examples:
        | action |
        | read   |
        | rename |
        | remove |

  Rule: An email address is unique within a tenant, not across tenants

    Scenario: The same email can exist in two tenants
      Given Acme has a user with the email "sam@example.com"
      When Globex adds Sam with the email "sam@example.com"
      Then the answer is 201
      And Globex has a user with the email "sam@example.com" stored
      And Acme still has a user with the email "sam@example.com" stored

  Rule: Every request must name the caller's own tenant

    A signed-in caller of Acme learns nothing about other tenants: naming one
    that exists and one that does not gets the same answer.

    Scenario Outline: A request naming <problem> is refused
      Given Alice, a member of Acme, is signed in
      When Alice lists users naming the tenant <tenant>
      Then the answer is <status> with the error "<code>"
      And the answer reveals none of the users

      Examples:
        | problem                      | tenant            | status | code             |
        | no tenant at all             | nothing           | 400    | tenant_missing   |
        | an empty tenant              | ""                | 400    | tenant_missing   |
        | a tenant in capitals         | "ACME"            | 400    | tenant_malformed |
        | a tenant with odd characters | "acme corp!"      | 400    | tenant_malformed |
        | SQL instead of a tenant      | "acme' OR '1'='1" | 400    | tenant_malformed |
        | another tenant               | "globex"          | 403    | tenant_mismatch  |
        | a tenant that does not exist | "initech"         | 403    | tenant_mismatch  |

  Rule: The database itself keeps tenants apart, even where the application forgets to

    @database_layer
    Scenario Outline: Reading all <records> without a tenant filter returns only the current tenant's
      Given Acme has 2 <records>
      And Globex has 3 <records>
      When the service's database role reads all <records> in Acme's context, with no tenant filter
      Then 2 <records> come back, all of them Acme's

      Examples:
        | records  |
        | users    |
        | counters |

    @database_layer
    Scenario: Outside any tenant's context the database shows no users at all
      Given Alice is a member of Acme
      When the service's database role reads all users outside any tenant's context
      Then no users come back

    @database_layer
    Scenario: The database refuses to file a row under another tenant
      When the service's database role adds a user for Globex while in Acme's context
      Then the database refuses the row

  Rule: No endpoint lets Globex reach Acme's data

    The Examples list every tenant-scoped endpoint of the service; a guard test
    fails when an endpoint is added without its row here. Gary is a signed-in
    admin of Globex: he may do everything, but only in Globex.

    Scenario Outline: Globex gets nothing of Acme's through <method> <path>
      Given Acme holds one record of every kind
      And Gary, an admin of Globex, is signed in
      When Gary calls <method> <path> aimed at Acme's data
      Then the answer is <status>
      And the answer shows nothing of Acme's
      And Acme's stored data is unchanged

      Examples:
        | method | path                       | status |
        | GET    | /users                     | 200    |
        | POST   | /users                     | 201    |
        | GET    | /users/{id}                | 404    |
        | PATCH  | /users/{id}                | 404    |
        | DELETE | /users/{id}                | 404    |
        | POST   | /users/{id}/invitations    | 404    |
        | POST   | /counters/{name}/increment | 200    |
        | POST   | /counters/increments       | 200    |
        | GET    | /counters/{name}           | 404    |
        | GET    | /api-keys                  | 200    |
        | POST   | /api-keys                  | 201    |
        | DELETE | /api-keys/{id}             | 404    |

  Rule: A tenant's context ends with its request

    A request's tenant is a setting of its transaction (with a schema per tenant, also
    the search path and role). The connection goes back to the pool and serves whoever
    comes next.

    @committed_data
    Scenario: A connection back in the pool keeps nothing of the last tenant's context
      Given Alice is a member of Acme
      And the service has a single database connection
      When Acme lists its users
      And the service's next work on that connection reads all users with no tenant filter
      Then no users come back

  Rule: Each tenant's schema is a name of its own

    A tenant's schema is named after its slug. PostgreSQL keeps 63 bytes of a name and
    cuts the rest without a word, so two long slugs could share one schema.

    @schemas_only
    Scenario Outline: A tenant whose slug cannot name a schema of its own is not created
      When provisioning creates a tenant with the slug "<slug>"
      Then provisioning refuses the slug, leaving no tenant, schema or role behind

      Examples:
        | problem                          | slug                                                      |
        | SQL in the slug                  | acme; DROP SCHEMA public CASCADE; --                      |
        | capitals                         | ACME                                                      |
        | longer than a schema name can be | a-slug-of-fifty-seven-characters-is-one-too-many-for-this |
