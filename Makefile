# Paridad — the two commands of the README, bootstrapped from nothing.
#   make demo   create the virtual environment, install, run the demonstration
#   make test   create the virtual environment, install, lint, type-check and run the suite

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FRONTEND := paridad/workbench/frontend
ASSETS := paridad/workbench/static/vendor/.installed
PARIDAD_TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
export PARIDAD_TEST_DATABASE_URL

.PHONY: install demo workbench test lint typecheck pytest messages bench clean

install: $(STAMP) $(ASSETS)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

# The workbench's browser libraries (link chart, map): pinned in package-lock.json, installed
# from the npm registry and served by the node itself, never from a CDN.
$(ASSETS): $(STAMP) $(FRONTEND)/package.json $(FRONTEND)/package-lock.json
	cd $(FRONTEND) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	$(BIN)/python -m paridad.workbench.assets
	touch $(ASSETS)

demo: install
	$(BIN)/paridad demo --workdir demo

# Both demo nodes' workbenches (after make demo, which prints their passwords); Ctrl-C stops.
workbench: install
	$(BIN)/paridad web --node demo/nodes/mx --node demo/nodes/us --port 8080

lint: install
	$(BIN)/ruff check paridad tests scripts
	$(BIN)/ruff format --check paridad tests scripts

typecheck: install
	$(BIN)/mypy

pytest: install
	$(BIN)/pytest -q

test: /usr/bin/chromium lint typecheck pytest

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# The workbench's browser tests drive Debian's Chromium (Playwright downloads no browser).
/usr/bin/chromium:
	$(SUDO) apt-get install -y --no-install-recommends chromium \
	  || ($(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends chromium)

messages: install
	$(BIN)/python scripts/update_messages.py

bench: install
	$(BIN)/paridad bench ingest --entities 50000 --json

clean:
	rm -rf $(VENV) $(FRONTEND)/node_modules paridad/workbench/static/vendor demo .pytest_cache .mypy_cache .ruff_cache
