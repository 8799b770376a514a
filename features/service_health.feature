@service_health
Feature: Service health
  Operations ask the service two questions: is the process alive, and is it
  ready to serve (its database answers).

  Scenario: The service says it is alive
    When operations ask whether the service is alive
    Then the answer is 200
    And the service reports "ok"

  Scenario: The service is ready when its database answers
    When operations ask whether the service is ready
    Then the answer is 200
    And the service reports "ok"

  Scenario Outline: A load balancer asking whether the service is <question> with headers only gets the full answer's status
    When a load balancer asks whether the service is <question>, headers only
    Then the answer has the status and headers of the full answer, and no body

    Examples:
      | question |
      | alive    |
      | ready    |
