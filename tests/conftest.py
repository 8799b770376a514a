# pytester runs the reporter's fixture projects (tests/reporting). pytest only accepts
# ``pytest_plugins`` in a conftest it loads at start-up: here, not in tests/reporting/.
pytest_plugins = ["pytester"]
