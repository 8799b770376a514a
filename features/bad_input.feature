@bad_input
Feature: Bad requests are refused clearly and change nothing
  Callers make mistakes, and some probe on purpose. Whatever arrives, the
  service answers with the right refusal and a message that says what is
  wrong, and stores nothing.

  Background:
    Given the tenant Acme

  Rule: A body must be a JSON object of a sensible size

    Scenario Outline: A new user sent as <problem> is refused
      When Acme sends a new user as <problem>
      Then the answer is <status> with the error "<code>"
      And Acme has no users stored

      Examples:
        | problem                         | status | code                   |
        | malformed JSON                  | 422    | validation_failed      |
        | a JSON list                     | 422    | validation_failed      |
        | plain text                      | 415    | unsupported_media_type |
        | a web form                      | 415    | unsupported_media_type |
        | JSON larger than the limit      | 413    | body_too_large         |
        | a large body sent in pieces     | 413    | body_too_large         |

  Rule: Fields must have the right types, and only known fields are accepted

    Scenario Outline: A change to Alice with <field> set to <value> is refused
      Given Alice is a member of Acme
      When Acme sends a change to Alice with <field> set to <value>
      Then the answer is 422 with the error "validation_failed"
      And the error names the field "<field>"
      And Alice is stored in Acme unchanged

      Examples:
        | field     | value                  |
        | name      | 42                     |
        | name      | true                   |
        | name      | "Al\u0000ice"          |
        | role      | ["admin"]              |
        | email     | {"address": "a@b.example"} |
        | tenant_id | 2                      |
        | id        | 99                     |

  Rule: Pages stay within their limits

    Scenario Outline: Asking for users with <parameter> set to <value> is refused
      Given Alice is a member of Acme
      When Acme asks for its users with <parameter> set to <value>
      Then the answer is 422 with the error "validation_failed"
      And the error names the field "<parameter>"

      Examples:
        | parameter | value               |
        | limit     | 0                   |
        | limit     | 101                 |
        | limit     | ten                 |
        | offset    | -1                  |
        | offset    | 9223372036854775808 |

    Scenario Outline: A page of <listing> larger than the service allows is refused
      Given the service answers at most 5 items a page
      When Acme asks for its <listing> with limit set to <limit>
      Then the answer is 422 with the error "validation_failed"
      And the error names the field "limit"

      Examples:
        | listing  | limit |
        | users    | 6     |
        | users    | 100   |
        | API keys | 6     |
        | API keys | 101   |

  Rule: The tenant header must be a plain tenant name

    Scenario Outline: A new user for a tenant named <problem> is refused
      Given Alice, an admin of Acme, is signed in
      When Alice adds a user naming the tenant <tenant>
      Then the answer is 400 with the error "tenant_malformed"
      And Acme has exactly 1 user stored

      Examples:
        | problem                   | tenant                           |
        | with SQL in it            | "acme'; DELETE FROM users; --"   |
        | with a tab                | "acme\tcorp"                     |
        | with a bell character     | "acme\u0007"                     |
        | with a null byte          | "acme\u0000"                     |
        | with a second header      | "acme\\r\\nX-Tenant-ID: globex"  |
        | far too long              | "acmeacmeacmeacmeacmeacmeacmeacmeacmeacmeacmeacmeacmeacmeacmeacmeacme" |

  Rule: A user id in the address must be a number the service can hold

    Scenario Outline: Removing the user with the id <id> is refused
      Given Alice is a member of Acme
      When Acme removes the user with the id <id>
      Then the answer is 422 with the error "validation_failed"
      And Acme has exactly 1 user stored

      Examples:
        | id                         |
        | alice                      |
        | 1.5                        |
        | 1e3                        |
        | 0                          |
        | -1                         |
        | 9223372036854775808        |
        | 99999999999999999999999999 |
