"""Every line kept out of mutation says why.

`# pragma: no mutate` (mutmut) takes a line's mutants out of the score, so each one must
carry its reason: in brackets after the pragma, or in a comment saying "Not mutated"
just above it (one comment may cover the few lines below it). A bare pragma would let
the score rise by hiding mutants nobody has judged.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRAGMA = re.compile(r"#\s*pragma:\s*no mutate(?P<rest>.*)$")
# How far above a pragma its "Not mutated" comment may stand.
REASON_REACH = 10


def unexplained(source: str) -> list[int]:
    """1-based numbers of the lines whose pragma gives no reason."""
    lines = source.splitlines()
    missing = []
    for number, line in enumerate(lines, start=1):
        found = PRAGMA.search(line)
        if found is None:
            continue
        if found["rest"].strip().removeprefix("block").strip().startswith("("):
            continue
        above = lines[max(0, number - 1 - REASON_REACH) : number - 1]
        if not any(re.search(r"#.*\bnot mutated\b", a, re.IGNORECASE) for a in above):
            missing.append(number)
    return missing


def test_every_no_mutate_pragma_gives_its_reason() -> None:
    missing = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "app").rglob("*.py"))
        for number in unexplained(path.read_text())
    ]
    assert not missing, f"a '# pragma: no mutate' without its reason: {missing}"


def test_a_bare_pragma_is_found() -> None:
    assert unexplained("x = 1\ny = 2  # pragma: no mutate\n") == [2]
    assert unexplained("# Not mutated: why.\ny = 2  # pragma: no mutate\n") == []
    assert unexplained("y = 2  # pragma: no mutate (why)\n") == []
