# dingconf developer commands. `make serve` and `make test` are all a fresh machine needs.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .tools/bin/uv
VENV := .venv
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: setup serve test test-sqlite lint bench bench-slow bench-state bench-journal postgres chromium node-deps clean

# The project's Python dependencies, exactly as uv.lock pins them.
setup: $(VENV)/.synced
$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	touch $@
$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

serve: setup
	$(VENV)/bin/dingconf serve $(ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

postgres:
	scripts/ensure-postgres

# The browser tests (tests/browser/) drive Debian's Chromium.
chromium:
	scripts/ensure-chromium

# The Node.js SDK tests (tests/test_node_*.py) run the npm packages tests/node pins.
node-deps:
	scripts/ensure-node-deps

# Two workers or more (one per core, at most four), each taking tests as it frees.
PYTEST_PARALLEL := -n auto --maxprocesses=4 --dist worksteal

test: lint postgres chromium node-deps
	$(VENV)/bin/pytest $(PYTEST_PARALLEL)

# The suite without PostgreSQL: every test on SQLite (browser and Node.js tests included).
test-sqlite: lint chromium node-deps
	$(VENV)/bin/pytest $(PYTEST_PARALLEL) -m "not postgres"

# Everything measured, each against a reference from the same run (about 20 minutes on a quiet machine).
bench: setup postgres
	$(VENV)/bin/python bench/run.py $(ARGS)
	$(VENV)/bin/python bench/layers.py
	$(VENV)/bin/python bench/writes.py
	$(VENV)/bin/python bench/events.py
	$(VENV)/bin/python bench/state.py
	$(VENV)/bin/python bench/slow_clients.py

bench-slow: setup
	$(VENV)/bin/python bench/slow_clients.py $(ARGS)

bench-state: setup postgres
	$(VENV)/bin/python bench/state.py $(ARGS)

bench-journal: setup
	$(VENV)/bin/python bench/journal.py $(ARGS)

clean:
	rm -rf .tools $(VENV) tests/node/node_modules
