"""What each action of the authorization table does, in calls of the service.

The authorization feature's Examples name the actions ("rename Bob"); this table is the
one place that says which request each of them is. Bob is the member the feature's
Background seeds; "the counter" is Acme's "visits"; "the API key" is its key "ci".
"""

from collections.abc import Callable

from harness.api import HttpResponse, ServiceApi
from harness.auth import Headers
from harness.world import World

Action = Callable[[ServiceApi, str, World, Headers], HttpResponse]

NEW_USER = {"name": "Carol", "email": "carol@example.com"}
COUNTER = "visits"
API_KEY = "ci"

ACTIONS: dict[str, Action] = {
    "list the users": lambda api, slug, w, c: api.list_users(slug, credentials=c),
    "read Bob's details": lambda api, slug, w, c: api.read_user(slug, w.person("Bob").id, c),
    "add a user": lambda api, slug, w, c: api.create_user(slug, NEW_USER, c),
    "rename Bob": lambda api, slug, w, c: api.update_user(
        slug, w.person("Bob").id, {"name": "Robert"}, c
    ),
    "make Bob an admin": lambda api, slug, w, c: api.update_user(
        slug, w.person("Bob").id, {"role": "admin"}, c
    ),
    "make herself an admin": lambda api, slug, w, c: api.update_user(
        slug, w.person("Alice").id, {"role": "admin"}, c
    ),
    "remove Bob": lambda api, slug, w, c: api.delete_user(slug, w.person("Bob").id, c),
    "invite Bob": lambda api, slug, w, c: api.invite_user(slug, w.person("Bob").id, c),
    "increment the counter": lambda api, slug, w, c: api.increment_counter(slug, COUNTER, c),
    "read the counter": lambda api, slug, w, c: api.read_counter(slug, COUNTER, c),
    "list the API keys": lambda api, slug, w, c: api.list_api_keys(slug, c),
    "create an API key": lambda api, slug, w, c: api.create_api_key(slug, {"name": "new"}, c),
    "revoke the API key": lambda api, slug, w, c: api.revoke_api_key(
        slug, w.api_key(API_KEY).id, c
    ),
}


def action(name: str) -> Action:
    try:
        return ACTIONS[name]
    except KeyError:
        raise AssertionError(f"no action {name!r} in the table; known: {sorted(ACTIONS)}") from None
