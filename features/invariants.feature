@invariants
Feature: Whatever happens, in whatever order, the business rules hold
  Hand-written scenarios check what someone thought of. Here the suite makes up its own
  stories: two tenants, each with an admin and a member signed in, an admin and a member
  API key, a revoked key, an expired token, and someone without any credentials, doing
  anything the service offers to their own tenant or to the other one, in any order:
  signing in and out with a cookie or for a token, inviting people, adding them again under
  the same idempotency key, and everything else.
  After every request the rules below must hold. When one breaks, the shortest story
  that breaks it is printed, step by step.

  Rule: Whatever two tenants and their people do, in any order, nothing of one reaches the other, and the rules hold

    Scenario: Made-up sequences of requests from two tenants keep every business rule
      Given the suite makes up sequences of requests from Acme's and Globex's callers
      When the service answers every one of them
      Then no answer showed anything of the other tenant
      And every answer was the one the authorization table, seat limits and stored records give
      And what each tenant stored always equalled what it was told

  @committed_data
  Rule: Requests that arrive at the same moment keep the rules too

    Scenario: Made-up batches of requests at the same moment keep every business rule
      Given Acme and Globex, each with 10 seats and an admin at work
      When the suite sends made-up batches of their requests, each batch at the same moment
      Then every answer was one the service documents, with nothing of the other tenant
      And no two of their requests deadlocked, not even where the service's re-run hid it
      And what each tenant stored is what some one-after-another order of the answers gives
