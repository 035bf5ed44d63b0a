# Guanxi CRM. `make demo` and `make test` are the two commands a newcomer needs (see README).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
GUANXI := $(BIN)/guanxi
PG_TEST_URL ?= $(or $(GUANXI_TEST_DATABASE_URL),postgres://postgres@127.0.0.1:5432/guanxi)
PYTEST_WORKERS ?= 2

.PHONY: setup demo serve test lint typecheck test-sqlite test-postgres test-browser bench messages catalogs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements.lock pyproject.toml
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

## setup: install the locked Python and front-end dependencies, compile catalogs, collect static files
setup: $(VENV)/.installed node_modules/.package-lock.json
	$(GUANXI) compile_catalogs
	$(GUANXI) collectstatic --noinput --verbosity 0

## demo: set up, migrate SQLite under var/, load demo data, print the owner login, compute the
## customer analytics, serve on :8000
demo: setup
	GUANXI_ENV=demo $(GUANXI) migrate --noinput --verbosity 0
	GUANXI_ENV=demo $(GUANXI) seed --if-empty --customers $${GUANXI_DEMO_CUSTOMERS:-2000} --seed 1
	GUANXI_ENV=demo $(GUANXI) analytics refresh
	GUANXI_ENV=demo $(GUANXI) serve_demo 127.0.0.1:8000

## test: lint, type-check, migrations check, the suite on SQLite and PostgreSQL, browser tests
test: setup lint typecheck test-sqlite test-postgres test-browser

lint:
	$(BIN)/ruff check src tests conftest.py
	$(BIN)/ruff format --check src tests conftest.py
	$(BIN)/lint-imports
	GUANXI_ENV=test $(GUANXI) makemigrations --check --dry-run

typecheck:
	$(BIN)/mypy

test-sqlite:
	@echo "=== test suite on SQLite ==="
	env -u DATABASE_URL $(BIN)/pytest -n $(PYTEST_WORKERS) -q

test-postgres:
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(PG_TEST_URL)'.replace('/guanxi','/postgres'), connect_timeout=3).close()" 2>/dev/null; then \
		echo "=== test suite on PostgreSQL ($(PG_TEST_URL)) ==="; \
		DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -n $(PYTEST_WORKERS) -q; \
	else \
		echo "=== PostgreSQL does not answer at $(PG_TEST_URL): PostgreSQL run skipped ==="; \
	fi

test-browser:
	@echo "=== browser tests in headless Chromium ==="
	env -u DATABASE_URL $(BIN)/pytest -q -m browser -p no:xdist

## bench: run the benchmarks and write docs/benchmarks.md
bench: setup
	$(BIN)/python -m benchmarks.run

## messages: refresh the translation catalogs from the source (needs GNU gettext)
messages:
	cd src/guanxi && ../../$(GUANXI) makemessages --no-obsolete --no-location -l zh_Hans -l zh_Hant --ignore 'node_modules/*' --ignore 'tests/*' --ignore '*/tests/*'

clean:
	rm -rf $(VENV) node_modules var/static
