"""The surviving mutants of the last `make mutation`, and which of them survivors.md leaves out.

    python -m tests.mutation.survivors           # every survivor with its change, by module
    python -m tests.mutation.survivors --check   # exit 1 when one is not in survivors.md

mutmut numbers a function's mutants in order, so a changed function renumbers them:
after a change, run it again and update survivors.md.
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MUTMUT = Path(sys.executable).with_name("mutmut")
EXPLAINED = Path(__file__).resolve().with_name("survivors.md")
NOT_KILLED = {0: "survived", 5: "no tests", 33: "no tests"}


def survivors() -> dict[str, str]:
    """Mutant name -> how it was not killed, from mutmut's results in mutants/."""
    found = {}
    for meta in sorted((ROOT / "mutants" / "app").rglob("*.py.meta")):
        for name, code in json.loads(meta.read_text())["exit_code_by_key"].items():
            if code in NOT_KILLED:
                found[name] = NOT_KILLED[code]
    return found


def change(name: str) -> str:
    """The mutant's change as `old` -> `new`, from `mutmut show`."""
    diff = subprocess.run(
        [str(MUTMUT), "show", name], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    old = " ".join(line[1:].strip() for line in diff if line.startswith("-") and line[:3] != "---")
    new = " ".join(line[1:].strip() for line in diff if line.startswith("+") and line[:3] != "+++")
    return f"`{old}` -> `{new}`"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail on an unexplained survivor")
    args = parser.parse_args(argv)
    found = survivors()
    if args.check:
        explained = EXPLAINED.read_text()
        missing = [name for name in found if name not in explained]
        for name in missing:
            print(f"not in survivors.md: {name} ({found[name]}): {change(name)}")
        return 1 if missing else 0
    for name, how in found.items():
        print(f"- {name} ({how}): {change(name)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
