"""What a name may hold, said here independently of the service's code, and a search for
names that break the rule.

The rule (user names and API key names): no character of the Unicode categories Cc
(controls), Cf (format: bidi overrides, soft hyphen, BOM, ...), Zl, Zp (line and
paragraph separators), Cs (surrogates), Co (private use), Cn (unassigned), except a
zero-width joiner or non-joiner between two visible characters (emoji sequences,
Persian and Indic spelling). A name is either stored exactly as the service answered
it, holding none of those, or refused with 422 `validation_failed` naming the field,
with nothing stored.
"""

import unicodedata
from collections.abc import Callable
from itertools import count

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from harness.api import HttpResponse, ServiceApi
from harness.auth import Headers
from harness.stored import Row, api_keys_of, users_of

HIDDEN_CATEGORIES = {
    "Cc": "a control",
    "Cf": "a format character",
    "Zl": "a line separator",
    "Zp": "a paragraph separator",
    "Cs": "a surrogate",
    "Co": "a private-use character",
    "Cn": "unassigned",
}
JOINERS = frozenset({"\u200c", "\u200d"})
VISIBLE_CLASSES = frozenset("LMNS")  # letters, marks, numbers, symbols
# Characters the search mixes in often, next to any other: each is a known way to hide.
SUSPECTS = "\u0085\u202e\u2028\u2029\u200b\u200c\u200d\u00ad\ufeff\ue000\u0378\u001b\u061c"
RECORDS = ("user", "API key")


def describe(char: str) -> str:
    category = unicodedata.category(char)
    kind = HIDDEN_CATEGORIES.get(category, category)
    return f"U+{ord(char):04X} {unicodedata.name(char, '')} ({kind})".replace("  ", " ")


def _visible(char: str) -> bool:
    return unicodedata.category(char)[0] in VISIBLE_CLASSES


def hidden_characters(name: str) -> list[str]:
    """The characters of `name` that the rule forbids, described."""
    hidden = []
    for index, char in enumerate(name):
        if unicodedata.category(char) not in HIDDEN_CATEGORIES:
            continue
        inner = 0 < index < len(name) - 1
        if char in JOINERS and inner and _visible(name[index - 1]) and _visible(name[index + 1]):
            continue
        hidden.append(describe(char))
    return hidden


def trimmed_of(sent: str, answered: str) -> bool:
    """`answered` is `sent` with at most some white space cut from its ends."""
    start = sent.find(answered)
    rest = sent[:start] + sent[start + len(answered) :]
    return bool(answered) and start >= 0 and all(char.isspace() for char in rest)


class NameTrials:
    """Adds users and API keys named as given, and says how an answer breaks the rule."""

    def __init__(self, api: ServiceApi, session: Session, tenant_id: int, slug: str) -> None:
        self.api, self.session, self.tenant_id, self.slug = api, session, tenant_id, slug
        self._emails = count(1)

    def add(self, record: str, name: str, caller: Headers) -> HttpResponse:
        if record == "user":
            email = f"named.{next(self._emails)}@{self.slug}.example"
            return self.api.create_user(self.slug, {"name": name, "email": email}, caller)
        return self.api.create_api_key(self.slug, {"name": name}, caller)

    def stored(self, record: str) -> list[Row]:
        if record == "user":
            return users_of(self.session, self.tenant_id)
        return api_keys_of(self.session, self.tenant_id)

    def rule_broken(self, record: str, name: str, caller: Headers) -> str | None:
        """Add one `record` named `name`; what breaks the rule, in words, or None."""
        before = self.stored(record)
        answer = self.add(record, name, caller)
        said = f"a new {record} named {name!r}"
        if answer.status_code == 422:
            return self._refusal_problem(said, answer, before, self.stored(record))
        if answer.status_code != 201:
            return f"{said} was answered {answer.status_code}: {answer.text}"
        answered = answer.json()
        rows = [row for row in self.stored(record) if row["id"] == answered["id"]]
        self._remove(record, answered["id"], caller)
        if [row["name"] for row in rows] != [answered["name"]]:
            return f"{said} was answered as {answered['name']!r} but stored as {rows}"
        if not trimmed_of(name, answered["name"]):
            return f"{said} was stored altered, as {answered['name']!r}"
        hidden = hidden_characters(answered["name"])
        return f"{said} was stored holding {', '.join(hidden)}" if hidden else None

    @staticmethod
    def _refusal_problem(
        said: str, answer: HttpResponse, before: list[Row], after: list[Row]
    ) -> str | None:
        error = answer.json()["error"]
        fields = [detail["field"] for detail in error.get("details", [])]
        if error["code"] != "validation_failed" or fields != ["body.name"]:
            return f"{said} was refused without naming the field: {answer.text}"
        if after != before:
            return f"{said} was refused, yet something was stored"
        return None

    def _remove(self, record: str, record_id: int, caller: Headers) -> None:
        # Keeps the tenant within its seats whatever the number of names tried.
        if record == "user":
            self.api.delete_user(self.slug, record_id, caller)
        else:
            self.api.revoke_api_key(self.slug, record_id, caller)


def names() -> st.SearchStrategy[str]:
    """Short names of any characters but surrogates, often with a suspect among them."""
    characters = st.one_of(st.characters(exclude_categories=["Cs"]), st.sampled_from(SUSPECTS))
    return st.text(characters, min_size=1, max_size=8)


def first_broken_name(rule_broken: Callable[[str, str], str | None], examples: int) -> str | None:
    """Search `examples` generated (record, name) pairs, derandomised: the smallest case that
    breaks the rule, in words, or None when every one kept it."""

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    @given(st.sampled_from(RECORDS), names())
    def keeps_the_rule(record: str, name: str) -> None:
        problem = rule_broken(record, name)
        assert problem is None, problem

    try:
        keeps_the_rule()
    except AssertionError as exc:
        return str(exc).splitlines()[0]
    return None
