# Junction's commands. `make run` and `make test` are all a fresh machine needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Two workers: the machine has two cores. Override with PYTEST_ARGS=...
PYTEST_ARGS ?= -n 2
# apt-get needs root; use sudo when we are not.
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: run test test-fast serve lint format chromium wrk axe install install-dev bench load

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Stamps: reinstall only when a requirements file changes.
$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt cli/pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## run: install, migrate the SQLite database, load the demo data, serve on http://127.0.0.1:8000
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	DJANGO_DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

## chromium: the browser the browser tests drive (Debian's package where none is installed)
chromium:
	@if [ -n "$$JUNCTION_CHROMIUM" ] && [ -x "$$JUNCTION_CHROMIUM" ]; then :; \
	elif command -v chromium >/dev/null 2>&1; then :; \
	else echo "Installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; fi

## wrk: the HTTP load generator `make load` drives (Debian's package where none is installed)
wrk:
	@if command -v wrk >/dev/null 2>&1; then :; \
	else echo "Installing Debian's wrk for the load test"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk >/dev/null; fi

## axe: axe-core, which the browser tests run on every page they visit (npm ci in tests/browser,
## again when its lock changes; Debian's nodejs and npm where npm is missing)
AXE_DIR := tests/browser
axe: $(AXE_DIR)/node_modules/.package-lock.json

$(AXE_DIR)/node_modules/.package-lock.json: $(AXE_DIR)/package.json $(AXE_DIR)/package-lock.json
	@if ! command -v npm >/dev/null 2>&1; then \
	  echo "Installing Debian's nodejs and npm for the accessibility check"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nodejs npm >/dev/null; fi
	cd $(AXE_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

## test: install the test tools, Chromium, wrk and axe-core, then run the whole suite
test: install-dev chromium wrk axe
	$(BIN)/pytest $(PYTEST_ARGS)

## test-fast: the product's tests only: no browser, no gunicorn or tool subprocesses
test-fast: install-dev
	$(BIN)/pytest $(PYTEST_ARGS) -m "not browser and not processes"

## serve: production-like: collected static files, gunicorn with 2 workers, DEBUG off
# Needs DJANGO_SECRET_KEY and JUNCTION_ENCRYPTION_KEYS (README, Production): the
# app refuses to serve on the development keys, so say so before migrating.
serve: install
	@if [ -z "$$DJANGO_SECRET_KEY" ] || [ -z "$$JUNCTION_ENCRYPTION_KEYS" ]; then \
	  echo "make serve needs DJANGO_SECRET_KEY and JUNCTION_ENCRYPTION_KEYS set (README, Production)." >&2; \
	  echo "  DJANGO_SECRET_KEY: $(BIN)/python -c \"from django.core.management.utils import get_random_secret_key; print(get_random_secret_key())\"" >&2; \
	  echo "  JUNCTION_ENCRYPTION_KEYS: $(BIN)/python -c \"from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())\"" >&2; \
	  exit 1; fi
	JUNCTION_COLLECTED_STATIC=1 $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py migrate --noinput
	JUNCTION_COLLECTED_STATIC=1 $(BIN)/gunicorn junction.wsgi --workers 2 --bind $(HOST):$(PORT) \
	  --access-logfile - --forwarded-allow-ips="127.0.0.1"

## bench: build an organization of size SIZE (S, M or L) in its own database and time the pages
# SQLite by default; with DATABASE_URL set, a junction_bench_<size> database on that server.
SIZE ?= S
REQUESTS ?= 50
bench: install wrk
	$(BIN)/python -m tooling.benchmark --size $(SIZE) --requests $(REQUESTS) $(BENCH_ARGS)

## load: gunicorn (2 workers, DEBUG off) on a free loopback port, signed-in load from wrk
# Against DATABASE_URL (migrated, with seed_demo's data): the connections list,
# the marketplace and the floor of acme's busiest project, 60 s each. Options
# through LOAD_ARGS, e.g. LOAD_ARGS="--seconds 30 --json load.json", or CI's
# LOAD_ARGS="--mixed --seconds 60 --pages connections,marketplace".
LOAD_ARGS ?=
load: install wrk
	$(BIN)/python -m tooling.loadtest $(LOAD_ARGS)

## lint: ruff, lint and format check; import-linter's contracts (pyproject.toml)
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
