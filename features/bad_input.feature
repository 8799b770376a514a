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
      And the error says "<message>"
      And Acme has no users stored

      Examples:
        | problem                                            | status | code                   | message                                      |
        | malformed JSON                                     | 422    | validation_failed      | The request body is not valid JSON.          |
        | a JSON list                                        | 422    | validation_failed      | Invalid input: body                          |
        | JSON with the name and the email of the wrong type | 422    | validation_failed      | Invalid input: body.email, body.name         |
        | plain text                                         | 415    | unsupported_media_type | Send the request body as application/json.   |
        | a single character of plain text                   | 415    | unsupported_media_type | Send the request body as application/json.   |
        | JSON without a content type                        | 415    | unsupported_media_type | Send the request body as application/json.   |
        | plain text sent in pieces                          | 415    | unsupported_media_type | Send the request body as application/json.   |
        | a web form                                         | 415    | unsupported_media_type | Send the request body as application/json.   |
        | JSON larger than the limit                         | 413    | body_too_large         | The request body is larger than 65536 bytes. |
        | a large body sent in pieces                        | 413    | body_too_large         | Content Too Large                            |

    Scenario Outline: A new user sent as <form> is added
      When Acme sends a new user as <form>
      Then the answer is 201
      And Acme has exactly 1 user stored

      Examples:
        | form                                 |
        | JSON naming its character set        |
        | JSON of a media type ending in +json |
        | JSON exactly as large as the limit   |

  Rule: A body is JSON that reads only one way: UTF-8, each field once, nested only a little

    Scenario Outline: A body of <problem> is refused by every request that takes a body
      Given Alice, an admin of Acme, is signed in
      When Alice sends <problem> to every request that takes a body
      Then every one is answered 422 with the error "validation_failed", saying the body is not valid JSON because "<reason>"
      And Acme's stored data is unchanged

      Examples:
        | problem                                  | reason                                  |
        | text that is not UTF-8                   | the body is not valid UTF-8             |
        | UTF-16 text                              | the body is not valid UTF-8             |
        | JSON behind a byte-order mark            | the body starts with a byte-order mark  |
        | a string holding a lone surrogate escape | a string holds a lone surrogate escape  |
        | JSON nested 5000 levels deep             | the body is nested deeper than 32 levels |
        | an object naming the same field twice    | a member name appears twice in one object |
        | a number JSON does not have (NaN)        | NaN is not a JSON number                |

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

  Rule: A name holds only characters a reader sees: no controls, no hidden formatting

    Scenario Outline: A name with <character> inside is refused, for a person and for an API key
      Given Alice, an admin of Acme, is signed in
      When Alice adds a user and an API key, each named with <code> inside
      Then every one is answered 422 with the error "validation_failed" naming the field "name"
      And Acme's stored data is unchanged

      Examples:
        | character                    | code   |
        | a next-line control          | U+0085 |
        | an escape control            | U+001B |
        | a right-to-left override     | U+202E |
        | an Arabic letter mark        | U+061C |
        | a line separator             | U+2028 |
        | a paragraph separator        | U+2029 |
        | a zero-width space           | U+200B |
        | a soft hyphen                | U+00AD |
        | a byte-order mark            | U+FEFF |
        | a private-use character      | U+E000 |
        | an unassigned code point     | U+0378 |

    Scenario Outline: A name written with <writing> is stored as given
      Given Alice, an admin of Acme, is signed in
      When Alice adds a user and an API key, each named "<name>"
      Then each is stored in Acme with the name "<name>", as answered

      Examples:
        | writing                                   | name                                 |
        | accents and a non-Latin script            | Zoë Ångström 李小龍                   |
        | an emoji joined by a zero-width joiner    | Sam 👩\u200d💻                        |
        | Persian, with a zero-width non-joiner     | نیک\u200cنام                          |

    Scenario: Any name is stored as answered with nothing hidden, or refused with nothing stored
      Given Alice, an admin of Acme, is signed in
      When Alice tries 60 generated names for users and API keys
      Then each name was stored as answered with nothing hidden in it, or refused naming the field with nothing stored

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

  Rule: A method an address does not take is refused, naming every method it takes

    Scenario Outline: <method> on <address> is refused, naming every method it takes
      Given Alice is a member of Acme
      When Acme sends <method> to <path>
      Then the answer is 405 with the error "method_not_allowed"
      And the answer allows exactly "<allowed>"

      Examples:
        | method | address          | path           | allowed                           |
        | PUT    | Alice's record   | /users/{Alice} | DELETE, GET, HEAD, OPTIONS, PATCH |
        | PUT    | the user list    | /users         | GET, HEAD, OPTIONS, POST          |
        | DELETE | the API key list | /api-keys      | GET, HEAD, OPTIONS, POST          |
        | GET    | sign-in          | /auth/login    | OPTIONS, POST                     |

    Scenario Outline: Asking what <address> takes names every method
      Given Alice is a member of Acme
      When Acme asks which methods <path> takes
      Then the answer is 204
      And the answer allows exactly "<allowed>"

      Examples:
        | address        | path           | allowed                           |
        | Alice's record | /users/{Alice} | DELETE, GET, HEAD, OPTIONS, PATCH |
        | the user list  | /users         | GET, HEAD, OPTIONS, POST          |
        | sign-in        | /auth/login    | OPTIONS, POST                     |

  Rule: An address the service does not have is answered in the one error shape

    Scenario Outline: <method> on an address the service does not have is answered not found
      When Acme sends <method> to /no-such-address
      Then the answer is 404 with the error "not_found", saying "Not Found"

      Examples:
        | method |
        | GET    |
        | DELETE |

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
