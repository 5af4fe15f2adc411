# dingconf developer commands. `make serve` and `make test` are all a fresh machine needs.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .tools/bin/uv
VENV := .venv
SERVE_VENV := .venv-serve
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: setup serve install test test-sqlite lint bench bench-slow bench-state bench-journal postgres chromium node-deps clean

# The project's Python dependencies, exactly as uv.lock pins them.
setup: $(VENV)/.synced
$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	touch $@
$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

# The server alone, in its own environment: the runtime dependencies and the
# PostgreSQL driver as uv.lock pins them, no test or lint tool (.venv keeps those).
$(SERVE_VENV)/.synced: uv.lock pyproject.toml | $(UV)
	UV_PROJECT_ENVIRONMENT=$(SERVE_VENV) $(UV) sync --frozen --no-dev --extra postgres --python $(PYTHON)
	touch $@

serve: $(SERVE_VENV)/.synced
	$(SERVE_VENV)/bin/dingconf serve $(ARGS)

# The `dingconf` command for this user, isolated as a uv tool (in `uv tool dir`,
# its executable in `uv tool dir --bin`, ~/.local/bin by default), pinned as uv.lock pins.
install: | $(UV)
	$(UV) export --frozen --no-dev --extra postgres --no-emit-project --no-hashes -q -o .tools/constraints.txt
	$(UV) tool install --reinstall-package dingconf --python $(PYTHON) -c .tools/constraints.txt '.[postgres]'

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
	$(VENV)/bin/python bench/mock.py

bench-slow: setup
	$(VENV)/bin/python bench/slow_clients.py $(ARGS)

bench-state: setup postgres
	$(VENV)/bin/python bench/state.py $(ARGS)

bench-journal: setup
	$(VENV)/bin/python bench/journal.py $(ARGS)

clean:
	rm -rf .tools $(VENV) $(SERVE_VENV) tests/node/node_modules
