# Two commands a newcomer needs: `make acceptance` (the product-owner run) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum requirements.txt | cut -c1-12)
COVERAGE_FLOOR := 90

REPORTS := reports
REPORT_FLAGS := --bdd-report-dir=$(REPORTS) --junitxml=$(REPORTS)/junit.xml

# CI sharding (pytest-split, balanced by the committed .test_durations):
# `make test SPLITS=2 GROUP=1` runs group 1 of 2 of each pytest run below. A shard sees
# part of the code, so it writes its coverage data ungated to .coverage.shard-<group>;
# `make coverage-gate` combines every shard's data and applies the floor once.
# pytest-randomly shuffles every run's order (the seed is in the header; README "Running in
# random order") before pytest-split cuts the list into groups, so the shards of one CI run
# must shuffle alike: a sharded run needs RANDOM_SEED, the same in every shard (CI: the run id).
SPLITS ?= 1
GROUP ?= 1
RANDOM_SEED ?=
ifeq ($(SPLITS),1)
SHARD := -p randomly $(if $(RANDOM_SEED),--randomly-seed=$(RANDOM_SEED))
COVERAGE_GATE := --cov-fail-under=$(COVERAGE_FLOOR)
else
ifeq ($(RANDOM_SEED),)
$(error a sharded run needs RANDOM_SEED=<n>, the same in every shard, or the groups overlap)
endif
SHARD := --splits $(SPLITS) --group $(GROUP) -p randomly --randomly-seed=$(RANDOM_SEED)
COVERAGE_GATE :=
export COVERAGE_FILE := .coverage.shard-$(GROUP)
endif

.PHONY: acceptance test coverage-gate bench mutation serve explore lint format clean browser

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-* && touch $(STAMP)

# The plugins a run loads. Entry-point autoloading is off (it imports every installed plugin,
# schemathesis and hypothesis among them: ~5 s a process, each xdist worker too); each run
# names what it needs. PLUGINS: the acceptance and exploration runs; TEST_PLUGINS: `make
# test`. tests/guards/test_plugin_lists.py checks each run collects what autoloading would.
PYTEST_BIN = $(BIN)/pytest
PYTEST = $(PYTEST_BIN) --disable-plugin-autoload
PLUGINS := -p pytest_bdd.plugin -p xdist.plugin
TEST_PLUGINS := $(PLUGINS) -p pytest_cov.plugin -p pytest_split.plugin \
	-p schemathesis.pytest.plugin -p _hypothesis_pytestplugin

## The acceptance run, readable by a product owner: every feature, scenario and step in the
## terminal, and Cucumber JSON, JUnit XML and a one-file HTML page under reports/.
## Serial or parallel, and how many workers, is decided by harness/parallel_choice.py
## (`make acceptance WORKERS="-n 0"` to choose yourself).
WORKERS ?= $$($(BIN)/python -m harness.parallel_choice steps)
acceptance: $(STAMP)
	$(PYTEST) $(PLUGINS) steps -p no:cacheprovider --gherkin-terminal-reporter $(REPORT_FLAGS) $(WORKERS)

## Everything: lint, features and tests with coverage, then the isolation features
## again with the database layer switched off (the application's filters alone), then
## every feature again with the other way of keeping tenants apart (TEST_TENANCY: rows,
## the default, or schemas), then the faults and races on the other PostgreSQL driver
## (where drivers differ most).
OTHER_DRIVER := $(if $(filter psycopg,$(TEST_DB_DRIVER)),psycopg2,psycopg)
OTHER_TENANCY := $(if $(filter schemas,$(TEST_TENANCY)),rows,schemas)
test: $(STAMP) lint browser
	$(PYTEST) $(TEST_PLUGINS) -p no:cacheprovider --cov=app --cov-report=term-missing:skip-covered \
		$(COVERAGE_GATE) $(SHARD) $(REPORT_FLAGS)
	$(PYTEST) $(TEST_PLUGINS) steps -p no:cacheprovider -m tenant_isolation --without-rls -q $(SHARD)
	TEST_TENANCY=$(OTHER_TENANCY) $(PYTEST) $(TEST_PLUGINS) steps -p no:cacheprovider -q $(SHARD)
	TEST_DB_DRIVER=$(OTHER_DRIVER) $(PYTEST) $(TEST_PLUGINS) steps -p no:cacheprovider \
		-m "failures or concurrency" -q $(SHARD)

## After sharded `make test` runs: their coverage together, against the same floor.
coverage-gate: $(STAMP)
	$(BIN)/coverage combine --keep .coverage.shard-*
	$(BIN)/coverage report --show-missing --skip-covered --fail-under=$(COVERAGE_FLOOR)

## Measures the suite and the service and prints a table (bench/results.json); never fails on a number.
bench: $(STAMP)
	$(BIN)/python -m bench

## The suite's own search with a nightly budget and a new seed (printed, to replay a failure).
explore: $(STAMP)
	EXPLORE_EXAMPLES=200 EXPLORE_STEPS=50 EXPLORE_BATCHES=40 \
	EXPLORE_SEED=$${EXPLORE_SEED:-$$(date +%s)} sh -c \
		'echo "exploring with EXPLORE_SEED=$$EXPLORE_SEED"; \
		$(PYTEST) $(PLUGINS) steps -p no:cacheprovider -m invariants --gherkin-terminal-reporter'

## Mutation testing (mutmut 3, setup.cfg): mutants of the modules whose bugs cost most, each
## judged by the scenarios that reach it; prints the score per module. Not part of `make test`
## (it takes most of an hour here). One module or folder: `make mutation MODULE=app/errors.py`.
MODULE ?=
mutation: $(STAMP)
	$(BIN)/python -m tests.mutation.run_mutmut $(if $(MODULE),--module $(MODULE))

## The service on 127.0.0.1:$(PORT) with a database of its own and a demo tenant, until Ctrl-C.
PORT ?= 8000
serve: $(STAMP)
	$(BIN)/python -m harness.serve --port $(PORT)

## Style, types (mypy.ini: strict for app/ and harness/) and layers (.importlinter).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## A Chromium-family browser and its driver, for the HTML report's browser test:
## CHROME_BIN and CHROMEDRIVER when set (a CI runner's own Chrome: no root needed), else
## chromium and chromedriver on PATH, else Debian's packages when we are root.
browser:
	@if [ -x "$$CHROME_BIN" ] && [ -x "$$CHROMEDRIVER" ]; then :; \
	elif command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && apt-get install -y -qq chromium chromium-driver; \
	else echo "No browser for the HTML report's test: set CHROME_BIN and CHROMEDRIVER," \
		"or install chromium and chromedriver (Debian: apt-get install chromium chromium-driver)"; \
		exit 1; fi

clean:
	rm -rf $(VENV) reports .coverage .ruff_cache .hypothesis mutants
