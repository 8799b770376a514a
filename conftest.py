"""The suite's plugins: the harness's fixtures and the step definitions (by domain concept).

Nothing else lives here: fixtures are in harness/fixtures/, steps in steps/.
"""

from harness.fixtures import FIXTURE_MODULES
from steps import STEP_MODULES

pytest_plugins = [
    "pytester",  # the reporting plugin's own tests run small pytest projects
    "harness.step_lookup",  # pytest-bdd's step lookup, indexed
    *FIXTURE_MODULES,
    *STEP_MODULES,
]
