# Two commands a newcomer needs: `make acceptance` (the product-owner run) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum requirements.txt | cut -c1-12)
COVERAGE_FLOOR := 90

.PHONY: acceptance test lint format clean

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-* && touch $(STAMP)

## The acceptance run, readable by a product owner: every feature, scenario and step.
acceptance: $(STAMP)
	$(BIN)/pytest steps --gherkin-terminal-reporter -vv -p no:cacheprovider

## Everything: lint, features and tests with coverage, then the isolation features
## again with the database layer switched off (the application's filters alone).
test: $(STAMP) lint
	$(BIN)/pytest -p no:cacheprovider --cov=app --cov-report=term-missing:skip-covered \
		--cov-fail-under=$(COVERAGE_FLOOR)
	$(BIN)/pytest steps -p no:cacheprovider -m tenant_isolation --without-rls -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) reports .coverage .ruff_cache .hypothesis
