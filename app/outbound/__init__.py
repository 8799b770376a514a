"""Calls the service makes to other services, each behind explicit timeouts."""
