"""Stands in for pytest in `make` (PYTEST_BIN=...): records each command line it is given
(and the suite's environment variables) as one JSON line to $RECORD_PYTEST, runs nothing.

For tests/guards/test_plugin_lists.py, which reads what the Makefile's runs pass to pytest.
"""

import json
import os
import sys

with open(os.environ["RECORD_PYTEST"], "a", encoding="utf-8") as out:
    env = {k: v for k, v in os.environ.items() if k.startswith(("TEST_", "EXPLORE_"))}
    out.write(json.dumps({"args": sys.argv[1:], "env": env}) + "\n")
