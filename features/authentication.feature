@authentication
Feature: Signing in and proving who you are
  People sign in to their tenant with their email and password and get a
  short-lived pass: a token, which a browser also keeps as a cookie. Machines
  use API keys that an admin hands out. Without valid credentials for the
  tenant, nothing is shown or changed, and no answer tells whether an account
  exists.

  Background:
    Given the tenant Acme
    And Alice, an admin of Acme, has the password "correct horse battery staple"

  Rule: People sign in with their email and password

    Scenario: Signing in gives a short-lived token for the tenant
      When Alice signs in to Acme with the password "correct horse battery staple"
      Then the answer is 200
      And the answer holds a token for Alice of Acme, valid for 15 minutes
      And the browser receives the token as a cookie that scripts cannot read

    Scenario: The token lets Alice in
      Given Alice has signed in to Acme with her password
      When Alice lists the users of Acme
      Then the answer is 200
      And the list shows exactly Alice

    Scenario: The browser's cookie lets Alice in
      Given Alice has signed in to Acme with her password
      When Alice's browser lists the users of Acme
      Then the answer is 200
      And the list shows exactly Alice

    Scenario: Signing out makes the browser forget the cookie
      Given Alice has signed in to Acme with her password
      When Alice's browser signs out
      Then the answer is 204
      And the browser is told to forget the cookie

    Scenario: A wrong password is refused
      When Alice signs in to Acme with the password "Correct Horse Battery Staple"
      Then the answer is 401 with the error "invalid_credentials"
      And the answer asks for credentials
      And the answer holds no token
      And Acme has 1 failed sign-in stored for Alice
      And Acme's stored data is unchanged

    Scenario Outline: Signing in again and again with <what> gets the same answers as a wrong password
      Given someone has tried Alice's email with a wrong password 7 times
      When someone tries 7 times to sign in to the tenant "<tenant>" as "<email>" with Alice's password
      Then the answers read exactly like those to the wrong password, in the same order
      And the service did the same database work for both
      And Acme's stored data is unchanged

      Examples:
        | what                                             | tenant  | email                  |
        | an unknown email                                 | acme    | nobody@acme.example    |
        | a tenant that does not exist                     | initech | alice@acme.example     |
        | an unknown email of a tenant that does not exist | initech | nobody@initech.example |

    @committed_data
    Scenario: Whatever is typed to sign in, a tenant that does not exist answers like Acme
      When someone signs in with many odd emails and passwords, each to Acme and to the tenant "initech"
      Then each time, the two answers read exactly alike
      And no answer is a failure of the service

    Scenario: A password stored at another cost is stored again at today's when its owner signs in
      Given Alice's password was stored when passwords were hashed at another cost
      When Alice signs in to Acme with the password "correct horse battery staple"
      Then the answer is 200
      And Alice's password is stored at today's cost, and still lets her in

  Rule: An outsider learns nothing by comparing answers

    Whatever an outsider sends, a tenant that exists and one that does not get the same
    answers, in the same order, and cost the service the same work.

    Scenario Outline: <credential> reads the same for a tenant that exists and one that does not
      When an outsider sends <credential> 7 times to Acme, and as often to the tenant "initech"
      Then the answers to both read exactly alike, in the same order
      And the service did the same database work for both
      And Acme's stored data is unchanged

      Examples:
        | credential               |
        | a made-up bearer token   |
        | a made-up session cookie |
        | a made-up API key        |

  Rule: Only credentials the service issued, for the tenant named, are accepted

    Scenario: A caller without credentials is asked for them
      When someone without credentials adds Carol to Acme
      Then the answer is 401 with the error "unauthenticated"
      And the answer asks for credentials
      And Acme's stored data is unchanged

    Scenario Outline: Alice holding <credential> is refused
      Given Alice holds <credential>
      When Alice adds Carol to Acme
      Then the answer is 401 with the error "invalid_credentials"
      And the answer asks for credentials
      And Acme's stored data is unchanged

      Examples:
        | credential                               |
        | a token that has expired                 |
        | a token signed with another key          |
        | a token that claims to need no signature |
        | a token whose claims were edited         |
        | a token without an expiry                |
        | a garbled token                          |

    Scenario: Properly signed tokens with claims the service never writes are refused
      When someone adds Carol to Acme with many tokens signed with the service's key, each with an odd user, tenant or role
      Then every one of those answers is 401 with the error "invalid_credentials"
      And Acme's stored data is unchanged

    Scenario Outline: A browser that sends the session cookie twice is refused, whoever's they are
      Given the tenant Globex
      And Bob, an admin of Globex, is signed in
      And Alice has signed in to Acme with her password
      When a browser lists the users of Acme with the session cookies of <cookies>
      Then the answer is 401 with the error "invalid_credentials"

      Examples:
        | cookies         |
        | Bob and Alice   |
        | Alice and Bob   |
        | Alice and Alice |

    Scenario: Two session cookies packed without a space between them are still two
      Given the tenant Globex
      And Bob, an admin of Globex, is signed in
      And Alice has signed in to Acme with her password
      When a browser lists the users of Acme with the session cookies of Alice and Bob packed without spaces
      Then the answer is 401 with the error "invalid_credentials"

    Scenario: A request carrying both a token and an API key is refused, though both are valid for the tenant
      Given Alice has signed in to Acme with her password
      And Acme has the admin API key "deploy"
      When a caller lists the users of Acme with Alice's token and the "deploy" key together
      Then the answer is 401 with the error "invalid_credentials"
      And the answer asks for credentials

    Scenario Outline: A session cookie and a bearer token of two people are refused, whichever is whose
      Given Dave, a member of Acme, is signed in
      And Alice has signed in to Acme with her password
      When a browser lists the users of Acme with <cookie>'s session cookie and <token>'s bearer token
      Then the answer is 401 with the error "invalid_credentials"
      And the answer asks for credentials

      Examples:
        | cookie | token |
        | Alice  | Dave  |
        | Dave   | Alice |

    Scenario: A token of another tenant opens nothing in Acme
      Given the tenant Globex
      And Bob, an admin of Globex, is signed in
      When Bob adds Carol to Acme
      Then the answer is 403 with the error "tenant_mismatch"
      And Acme's stored data is unchanged

  Rule: Machine clients use API keys that an admin manages

    Scenario: A machine client works with its API key
      Given Acme has the member API key "ci"
      When the "ci" key lists the users of Acme
      Then the answer is 200
      And the list shows exactly Alice

    Scenario: A revoked API key is refused
      Given Acme has the admin API key "ci"
      And Acme has revoked the API key "ci"
      When the "ci" key adds Carol to Acme
      Then the answer is 401 with the error "invalid_credentials"
      And Acme's stored data is unchanged

    Scenario: Another tenant's API key is refused
      Given the tenant Globex
      And Globex has the admin API key "deploy"
      When the "deploy" key adds Carol to Acme
      Then the answer is 401 with the error "invalid_credentials"
      And Acme's stored data is unchanged

    Scenario: Made-up API keys of every shape, some one edit away from a real one, are refused
      Given Acme has the admin API key "ci"
      When someone adds Carol to Acme with many made-up API keys, some one edit away from the "ci" key
      Then every one of those answers is 401 with the error "invalid_credentials"
      And Acme's stored data is unchanged

    Scenario: An admin creates an API key and sees its secret only once
      Given Alice has signed in to Acme with her password
      When Alice creates the member API key "ci" for Acme
      Then the answer is 201
      And the answer shows the key's secret once
      And Acme has the API key "ci" stored, without its secret

    Scenario: Listing the API keys never shows their secrets
      Given Acme has the member API key "ci"
      And Alice has signed in to Acme with her password
      When Alice lists the API keys of Acme
      Then the answer is 200
      And the list shows the key "ci" with its prefix and no secret

    Scenario: Listing the API keys shows which of them were used
      Given Acme has the member API key "ci"
      And Acme has the member API key "backup"
      And Alice has signed in to Acme with her password
      When the "ci" key lists the users of Acme
      And Alice lists the API keys of Acme
      Then the list shows the key "ci" as used, and "backup" as never used

    Scenario: A key used again long after its last use shows the new use
      Given Acme has the member API key "ci"
      And the "ci" key was last used 2 hours ago
      And Alice has signed in to Acme with her password
      When the "ci" key lists the users of Acme
      And Alice lists the API keys of Acme
      Then the list shows the key "ci" as last used within the last minute

    Scenario: An admin revokes an API key
      Given Acme has the member API key "ci"
      And Alice has signed in to Acme with her password
      When Alice revokes the API key "ci" of Acme
      Then the answer is 204
      And the API key "ci" is stored as revoked

    Scenario: Paging through the API keys shows each one exactly once, oldest first
      Given Acme has 3 active and 2 revoked API keys
      And Alice has signed in to Acme with her password
      When Alice pages through the API keys of Acme 2 at a time
      Then the pages hold 2, 2 and 1 API keys
      And every API key appears exactly once, oldest first

  Rule: A tenant holds only so many active API keys

    Scenario Outline: With room for <room> active API keys, all taken, a new one is refused
      Given Acme has room for <room> active API keys
      And Acme has <room> active and 2 revoked API keys
      And Alice has signed in to Acme with her password
      When Alice creates the member API key "backup" for Acme
      Then the answer is 409 with the error "api_key_limit_reached"
      And Acme's stored data is unchanged

      Examples:
        | room |
        | 1    |
        | 4    |

    Scenario: Revoked API keys leave room for new ones
      Given Acme has room for 3 active API keys
      And Acme has 2 active and 5 revoked API keys
      And Alice has signed in to Acme with her password
      When Alice creates the member API key "backup" for Acme
      Then the answer is 201
      And Acme has 3 active API keys stored

    @tenant_isolation
    Scenario: Another tenant's active API keys take none of a tenant's room
      Given Acme has room for 3 active API keys
      And Acme has 2 active API keys
      And the tenant Globex
      And Globex has 3 active API keys
      And Alice has signed in to Acme with her password
      When Alice creates the member API key "backup" for Acme
      Then the answer is 201
      And Acme has 3 active API keys stored

  Rule: Repeated failed sign-ins lock the account for a while

    Scenario: After five failed sign-ins even the right password must wait
      Given Alice's account has had 5 failed sign-ins
      When Alice signs in to Acme with the password "correct horse battery staple"
      Then the answer is 429 with the error "too_many_attempts"
      And the answer says when to try again
      And Acme has 5 failed sign-ins stored for Alice
      And Acme's stored data is unchanged

    Scenario Outline: A locked account may try again once its failures leave the window
      Given Alice's account has had 5 failed sign-ins, which leave the window in <seconds> seconds
      When Alice signs in to Acme with the password "correct horse battery staple"
      Then the answer is 429 with the error "too_many_attempts"
      And the answer says to try again in <seconds> seconds

      Examples:
        | seconds |
        | 60      |
        | 1       |

    Scenario: Signing in successfully forgets earlier failures
      Given Alice's account has had 2 failed sign-ins
      When Alice signs in to Acme with the password "correct horse battery staple"
      Then the answer is 200
      And Acme has 0 failed sign-ins stored for Alice

    Scenario: Failed sign-ins past the window no longer count, even before they are swept
      Given 120 failed sign-ins of made-up accounts, all older than the window
      And Alice's account has had 5 failed sign-ins, which left the window 1 second ago
      When Alice signs in to Acme with the password "correct horse battery staple"
      Then the answer is 200

    Scenario: Failed sign-ins older than the window are swept, whoever they were for
      Given 120 failed sign-ins of made-up accounts, all older than the window
      When someone tries 3 times to sign in to the tenant "acme" as "nobody@acme.example" with Alice's password
      Then only the 3 new failed sign-ins are stored

  Rule: One address cannot try account after account without end

    Scenario: Sign-ins from one address are limited, whichever accounts they try
      Given the service takes 5 sign-ins per address per minute
      When someone signs in to Acme 6 times, each time with another made-up email
      Then the answer is 429 with the error "too_many_attempts"
      And exactly 5 answers are 401
      And the answer says to try again when the minute is over
