# innkjøpsboten — everything a fresh machine needs goes through these targets.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
PLAYGROUND_DIR := .playground
PLAYGROUND_VERSION := 0.2.28

export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run serve test check format migrate package bench soak clean playground

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(PIP) install -q -e .
	@touch $@

$(TEST_STAMP): pyproject.toml | $(VENV)/bin/python
	$(PIP) install -q -e '.[test]'
	@touch $@ $(STAMP)

## run: the bot on SQLite (var/innkjop.db) with the demo directory, plus the Agents Playground
run: $(STAMP)
	@mkdir -p var
	$(PY) -m bot migrate
	@$(PY) scripts/run_local.py --playground-dir $(PLAYGROUND_DIR) --playground-version $(PLAYGROUND_VERSION)

## serve: the bot alone (no playground)
serve: $(STAMP)
	@mkdir -p var
	$(PY) -m bot migrate
	$(PY) -m bot serve

migrate: $(STAMP)
	@mkdir -p var
	$(PY) -m bot migrate

## check: lint, format check, types, import rules
check: $(TEST_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

format: $(TEST_STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## test: check, then the whole suite (SQLite; PostgreSQL too when TEST_DATABASE_URL is set)
test: check
	$(VENV)/bin/pytest -q

package: $(STAMP)
	$(PY) infra/package.py --out dist/innkjopsboten.zip

bench: $(TEST_STAMP)
	$(PY) -m tests.bench

soak: $(TEST_STAMP)
	SOAK=1 $(VENV)/bin/pytest -q tests/soak

clean:
	rm -rf $(VENV) var/*.db* dist .mypy_cache .ruff_cache .pytest_cache
