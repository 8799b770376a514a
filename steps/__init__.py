"""Step definitions, one module per domain concept; `test_features.py` binds the features.

Every module here (but test_*) is loaded as a pytest plugin by the root conftest.py, so a
new concept is a new module and nothing else.
"""

import pkgutil

STEP_MODULES = [
    f"{__name__}.{module.name}"
    for module in pkgutil.iter_modules(__path__)
    if not module.name.startswith(("test_", "_"))
]
