"""The SQL statements the service runs, as text without their values: "the same work" made visible.

Two requests that must not be told apart (a tenant that exists and one that does not)
must not differ in the database work they cause either: a missing statement is time a
caller can measure.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, event

# The scenario's own isolation (savepoints numbered per scenario), not the service's work.
SAVEPOINT_NUMBER = re.compile(r"\b(sa_savepoint_)\d+\b")


@contextmanager
def statements_run(*binds: Engine | Connection) -> Iterator[list[str]]:
    """Every statement run on `binds` while the `with` lasts, in order, as its SQL text."""
    seen: list[str] = []

    def record(_conn: Connection, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(SAVEPOINT_NUMBER.sub(r"\1N", " ".join(statement.split())))

    for bind in binds:
        event.listen(bind, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        for bind in binds:
            event.remove(bind, "before_cursor_execute", record)


def first_difference(these: list[str], those: list[str]) -> str:
    """Where two runs of statements part, in words: for a failing comparison's message."""
    for number, (this, that) in enumerate(zip(these, those, strict=False), start=1):
        if this != that:
            return f"statement {number}: {this!r} against {that!r}"
    if len(these) == len(those):
        return "none"
    longer, name = (these, "the first") if len(these) > len(those) else (those, "the second")
    return f"{name} also ran {longer[min(len(these), len(those))]!r} and more"
