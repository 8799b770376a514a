@authorization
Feature: What each role may do
  In a tenant, admins manage the people and the machine keys; members read the
  directory and work with counters. Nobody can give themselves more rights, and
  a refused action changes nothing.

  Background:
    Given the tenant Acme
    And Bob is a member of Acme
    And Acme's counter "visits" stands at 3
    And Acme has the member API key "ci"

  Rule: Each role may do what the table says

    Scenario Outline: As <role>, Alice may <action>
      Given Alice is signed in to Acme as <role>
      When Alice tries to <action> in Acme
      Then the answer is <status>

      Examples:
        | role      | action                | status |
        | an admin  | list the users        | 200    |
        | an admin  | read Bob's details    | 200    |
        | an admin  | add a user            | 201    |
        | an admin  | rename Bob            | 200    |
        | an admin  | make Bob an admin     | 200    |
        | an admin  | remove Bob            | 204    |
        | an admin  | invite Bob            | 202    |
        | an admin  | increment the counter | 200    |
        | an admin  | read the counter      | 200    |
        | an admin  | list the API keys     | 200    |
        | an admin  | create an API key     | 201    |
        | an admin  | revoke the API key    | 204    |
        | a member  | list the users        | 200    |
        | a member  | read Bob's details    | 200    |
        | a member  | increment the counter | 200    |
        | a member  | read the counter      | 200    |

  Rule: Anything else is refused and changes nothing

    Scenario Outline: As <role>, Alice may not <action>
      Given Alice is signed in to Acme as <role>
      When Alice tries to <action> in Acme
      Then the answer is 403 with the error "forbidden"
      And Acme's stored data is unchanged

      Examples:
        | role     | action                |
        | a member | add a user            |
        | a member | rename Bob            |
        | a member | make Bob an admin     |
        | a member | make herself an admin |
        | a member | remove Bob            |
        | a member | invite Bob            |
        | a member | list the API keys     |
        | a member | create an API key     |
        | a member | revoke the API key    |
