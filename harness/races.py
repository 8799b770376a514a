"""Requests that meet over the same records at the same moment: which calls they are, and
what each answer was about.

The concurrency feature's Examples name how creations are keyed ("each under an
idempotency key of its own") and which request meets a removal of the same person ("a
new name", "an invitation"); this is the one place that says which calls those are.
"""

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from harness.api import HttpResponse, ServiceApi
from harness.parallel import Call
from harness.world import Aim

# How each of many creations is keyed, by its number and how many there are.
Keying = Callable[[int, int], str | None]
KEYINGS: dict[str, Keying] = {
    "none under an idempotency key": lambda n, count: None,
    "each under an idempotency key of its own": lambda n, count: f"add-person-{n}",
    # Keyed and plain creations at once (the keyed ones go out first): they take their
    # locks in different orders, and must neither deadlock nor hold the plain ones up.
    "half under idempotency keys of their own, half without": lambda n, count: (
        f"add-person-{n}" if n < count // 2 else None
    ),
}

# The request that meets a removal of the same person.
Rival = Callable[[ServiceApi, str, int], HttpResponse]
RIVALS: dict[str, Rival] = {
    "a new name": lambda api, slug, user_id: api.update_user(
        slug, user_id, {"name": f"Renamed {user_id}"}
    ),
    "a new email": lambda api, slug, user_id: api.update_user(
        slug, user_id, {"email": f"renamed.{user_id}@{slug}.example"}
    ),
    "a second removal": lambda api, slug, user_id: api.delete_user(slug, user_id),
    "an invitation": lambda api, slug, user_id: api.invite_user(slug, user_id),
}
REMOVED = 204


def creations(slug: str, bodies: list[dict[str, Any]], keying: str) -> list[Call]:
    """One creation per body, keyed as `keying` says."""
    keys = [KEYINGS[keying](n, len(bodies)) for n in range(len(bodies))]
    return [partial(_create, slug, body, key) for body, key in zip(bodies, keys, strict=True)]


def _create(slug: str, body: dict[str, Any], key: str | None, api: ServiceApi) -> HttpResponse:
    if key is None:
        return api.create_user(slug, body)
    return api.create_user_once(slug, body, key)


def removals_meeting(slug: str, user_ids: list[int], rival: str) -> tuple[list[Call], list[Aim]]:
    """For each person a removal and the rival request, side by side: they start together."""
    calls: list[Call] = []
    aims: list[Aim] = []
    for user_id in user_ids:
        calls += [partial(_remove, slug, user_id), partial(_rival, RIVALS[rival], slug, user_id)]
        aims += [Aim(user_id, removal=True), Aim(user_id, removal=False)]
    return calls, aims


def _remove(slug: str, user_id: int, api: ServiceApi) -> HttpResponse:
    return api.delete_user(slug, user_id)


def _rival(other: Rival, slug: str, user_id: int, api: ServiceApi) -> HttpResponse:
    return other(api, slug, user_id)


def by_person(
    answers: list[HttpResponse], aims: list[Aim]
) -> Iterator[tuple[int, list[HttpResponse]]]:
    """Each person's answers, the removal's first."""
    assert aims, "no race over people was run"
    people: dict[int, list[HttpResponse]] = {}
    for answer, aim in zip(answers, aims, strict=True):
        people.setdefault(aim.user_id, []).append(answer)
    yield from people.items()


def described(answers: list[HttpResponse]) -> str:
    """ "204, then 500 internal_error": a person's answers in words, for a failure message."""
    return ", then ".join(
        f"{a.status_code} {a.json()['error']['code']}"
        if a.status_code >= 400
        else str(a.status_code)
        for a in answers
    )


def besides_the_removal(answers: list[HttpResponse]) -> list[HttpResponse]:
    """A person's answers without the one that removed them (if any did)."""
    rest = list(answers)
    removal = next((a for a in rest if a.status_code == REMOVED), None)
    if removal is not None:
        rest.remove(removal)
    return rest


def rivals_answered(answers: list[HttpResponse], aims: list[Aim], status: int) -> list[int]:
    """The people whose rival request (not the removal) was answered with `status`."""
    return [
        aim.user_id
        for answer, aim in zip(answers, aims, strict=True)
        if not aim.removal and answer.status_code == status
    ]
