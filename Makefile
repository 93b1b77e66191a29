# The two commands of the README. Each sets up what it needs on a fresh machine first.
SHELL := /bin/bash
PYTHON ?= python3
# Another interpreter gets its own venv: make test-3.13 uses PYTHON=<3.13> VENV=.venv-3.13.
VENV ?= .venv
BIN := $(VENV)/bin
TOOLS := .tools
BUN_BIN := $(abspath $(TOOLS))/node_modules/.bin
REFLEX_ENV := PATH="$(BUN_BIN):$$PATH" REFLEX_USE_SYSTEM_BUN=1 \
	REFLEX_TELEMETRY_ENABLED=false REFLEX_CHECK_LATEST_VERSION=false
# A copy on other ports gets its own build folders, so two copies can run side by side.
PORT_SUFFIX := $(if $(filter-out 3000,$(REFLEX_FRONTEND_PORT)),-$(REFLEX_FRONTEND_PORT),)
export REFLEX_WEB_WORKDIR ?= .web$(PORT_SUFFIX)
export REFLEX_STATES_WORKDIR ?= .states$(PORT_SUFFIX)
# TEST_WORKERS=N runs the suite in N processes side by side (pytest-xdist), a test file to a
# process, so module fixtures (a production build, a stack) stay one per file; 0 runs it in one.
# Files are handed out in the order pytest collected them (browser tests last, tests/conftest.py),
# not largest first: once a process has run a browser test, Playwright's event loop runs in it for
# good, and an asyncio test after it could not start its own. Two processes suit a 2-core machine
# (README, Tests).
TEST_WORKERS ?= 2
PARALLEL := $(if $(filter-out 0,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder,)

.PHONY: run prod test test-3.13 test-other-python setup setup-dev icu browser nginx lint seed \
	seed-scale bench clean translations lighthouse audit

run: setup  ## set up, migrate, serve on http://localhost:3000 (backend :8000)
	$(BIN)/python -m microblog migrate
	$(REFLEX_ENV) $(BIN)/reflex run

# The production stack (README, "Deploying"): nginx on the port of PUBLIC_URL (default
# http://localhost:8080) in front of WEB_WORKERS backend workers (default: one per core), with
# DATABASE_URL and REDIS_URL. Builds the frontend only when its inputs changed (into .web-prod/,
# beside make run's .web/), migrates, and stops everything on Ctrl-C. The containers and the
# systemd units run the same command (microblog/stack/).
PROD_WEB_DIR ?= .web-prod
prod: setup nginx  ## nginx + WEB_WORKERS workers on PUBLIC_URL (see README, Deploying)
	$(REFLEX_ENV) REFLEX_WEB_WORKDIR=$(PROD_WEB_DIR) $(BIN)/python -m microblog.stack run

test: setup-dev browser nginx  ## set up, lint, check types, run every test
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(REFLEX_ENV) $(BIN)/python -m pytest $(PARALLEL) $(PYTEST_ARGS)

# The suite again on Python 3.13, in .venv-3.13 (.ci/run runs it after `make test`). Lint, the
# type check and the browser tests run once, under `make test`: lint and mypy read the source
# (mypy checks it as Python 3.11, the oldest we support, whatever runs it: pyproject.toml), and
# the browser tests drive the same Python code through a browser, take most of the suite's time,
# and what could differ between Pythons is covered without them. So are the PostgreSQL sides of
# the tests that take either database (marked `postgresql`): `make test` runs both sides, and
# what a Python version changes shows on SQLite; the tests written for PostgreSQL alone (a
# backup and its restore) still run on 3.13, and load and use its driver there.
test-3.13:
	@python="$$(.ci/find-python 3.13)" && echo "Python 3.13: $$python" && \
		$(MAKE) --no-print-directory test-other-python PYTHON="$$python" VENV=.venv-3.13

test-other-python: setup-dev
	$(BIN)/python --version
	$(REFLEX_ENV) $(BIN)/python -m pytest $(PARALLEL) -m "not browser and not postgresql" $(PYTEST_ARGS)

setup: $(BIN)/.deps $(BUN_BIN)/bun translations

# The compiled catalogs (.mo for the server, assets/i18n/catalogs.js for the browser) are built
# from the committed .po files, never committed themselves.
translations: $(BIN)/.deps
	$(BIN)/python -m microblog translate compile >/dev/null

setup-dev: setup $(BIN)/.dev-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(BIN)/.deps: $(BIN)/python requirements.txt constraints.txt | icu
	$(BIN)/pip install --quiet -r requirements.txt -c constraints.txt
	touch $@

$(BIN)/.dev-deps: $(BIN)/.deps requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt -c constraints.txt
	touch $@

# Reflex's own bun download needs the open internet; the npm registry's bun package works.
$(BUN_BIN)/bun:
	mkdir -p $(TOOLS)
	cd $(TOOLS) && npm install --no-audit --no-fund --silent bun@1.4.5 >/dev/null
	test -x $@

# PyICU (confusable usernames, services/lookalikes.py) is built from source against the system's
# ICU: it needs ICU's headers, pkg-config and a C++ compiler (Debian: libicu-dev pkg-config g++).
# pip keeps the wheel it builds in its cache, so only the first install per Python pays (~3 min).
icu:
	@pkg-config --exists icu-uc icu-i18n 2>/dev/null && command -v c++ >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libicu-dev pkg-config g++ >/dev/null; \
		else echo "Install ICU's headers and a C++ compiler: sudo apt-get install libicu-dev pkg-config g++" >&2; exit 1; fi; }

# Headless Chromium for the browser tests, from Debian (Playwright's own download is blocked).
browser:
	@command -v chromium >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else echo "Install Chromium: sudo apt-get install chromium" >&2; exit 1; fi; }

# Debian's nginx, for make prod and its test (tests/e2e/test_production.py).
nginx:
	@command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; \
		else echo "Install nginx: sudo apt-get install nginx" >&2; exit 1; fi; }

lint: setup-dev
	$(BIN)/ruff format --check . && $(BIN)/ruff check . && $(BIN)/mypy

# Seeding replaces all data: it asks first when there is data to replace, and refuses without a
# terminal to ask on. YES=1 replaces without asking (make seed YES=1).
SEED_YES := $(if $(filter-out 0 no false,$(YES)),--yes,)

seed: setup  ## demo data: a dozen users, a few hundred posts (asks first; YES=1 does not)
	$(BIN)/python -m microblog seed $(SEED_YES)

seed-scale: setup  ## benchmark data: 10k users, 1M posts (asks first; YES=1 does not)
	$(BIN)/python -m microblog seed --scale --pictures 0.2 $(SEED_YES)

bench: setup-dev browser
	$(REFLEX_ENV) $(BIN)/python -m benchmarks.bench_feeds --seed --browser

clean:
	rm -rf $(VENV) .venv-3.13 $(TOOLS) .web .web-prod .states

# Lighthouse for the audit (benchmarks/bench_audit.py): 12.2.3 is the last release that runs on
# Node 20. Into .tools beside bun, from the npm registry.
lighthouse:
	mkdir -p $(TOOLS)
	test -f $(TOOLS)/node_modules/lighthouse/package.json || { cd $(TOOLS) && \
		npm install --no-audit --no-fund --silent --save-exact lighthouse@12.2.3 >/dev/null; }

audit: setup-dev browser nginx lighthouse  ## Lighthouse and axe on every page (docs/audit.md)
	$(REFLEX_ENV) $(BIN)/python -m benchmarks.bench_audit $(AUDIT_ARGS)
