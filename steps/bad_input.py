"""Bad input: bodies, fields, pages, tenant headers and ids that the service must refuse."""

import json
from collections.abc import Iterator

from fastapi import FastAPI
from pytest_bdd import parsers, when
from sqlalchemy.orm import Session

from harness.api import ServiceApi
from harness.world import World
from steps.users import VALID_NEW_USER, _patch_person

JSON = "application/json"


def _oversized(app: FastAPI) -> bytes:
    limit: int = app.state.settings.max_body_bytes
    return json.dumps({**VALID_NEW_USER, "name": "x" * limit}).encode()


def _in_pieces(body: bytes, size: int = 4096) -> Iterator[bytes]:
    # No Content-Length: the service can only count the bytes as they arrive.
    for start in range(0, len(body), size):
        yield body[start : start + size]


@when(parsers.parse("{tenant} sends a new user as {problem}"))
def send_new_user_as(
    world: World, api: ServiceApi, app: FastAPI, tenant: str, problem: str
) -> None:
    valid = json.dumps(VALID_NEW_USER).encode()
    bodies: dict[str, tuple[bytes | Iterator[bytes], str]] = {
        "malformed JSON": (valid[:-5], JSON),
        "a JSON list": (json.dumps([VALID_NEW_USER]).encode(), JSON),
        "plain text": (b"name=Robin Doe, email=robin@acme.example", "text/plain"),
        "a web form": (
            b"name=Robin+Doe&email=robin%40acme.example",
            "application/x-www-form-urlencoded",
        ),
        "JSON larger than the limit": (_oversized(app), JSON),
        "a large body sent in pieces": (_in_pieces(_oversized(app)), JSON),
    }
    body, content_type = bodies[problem]
    world.response = api.create_user_from_bytes(world.tenant(tenant).slug, body, content_type)


@when(parsers.parse("{tenant} sends a change to {person} with {field} set to {value}"))
def send_change(
    world: World,
    api: ServiceApi,
    db_session: Session,
    tenant: str,
    person: str,
    field: str,
    value: str,
) -> None:
    _patch_person(world, api, db_session, tenant, person, {field: json.loads(value)})


@when(parsers.parse("{tenant} asks for its users with {parameter} set to {value}"))
def list_with(world: World, api: ServiceApi, tenant: str, parameter: str, value: str) -> None:
    world.response = api.list_users_with(world.tenant(tenant).slug, {parameter: value})


@when(parsers.parse("{person} adds a user naming the tenant {header}"))
def add_naming_tenant(world: World, api: ServiceApi, person: str, header: str) -> None:
    world.response = api.create_user(
        json.loads(header), VALID_NEW_USER, credentials=world.credentials(person)
    )


@when(parsers.parse("{tenant} removes the user with the id {raw_id}"))
def remove_by_raw_id(world: World, api: ServiceApi, tenant: str, raw_id: str) -> None:
    world.response = api.delete_user_at(world.tenant(tenant).slug, raw_id)
