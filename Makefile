# Quick start: `make run` (set up and start the app), `make test` (set up and run every test).
# Edit loop: `make check` (lint, then the unit and oracle tiers with the quick Hypothesis profile).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8501
WORKERS ?= 2

.PHONY: run test check lint format bench bench-ui load-test mutation browser postgres libreoffice clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

## Install Debian's Chromium (and an emoji font for the page icons): Playwright's own browser download cannot work
## offline. The tests drive its headless shell (lighter per page load), the benchmarks the full browser.
## poppler-utils (pdftotext, pdftoppm) reads the printed report.
browser:
	@if [ -x /usr/bin/chromium ] || [ -n "$$CHROMIUM_PATH" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-color-emoji >/dev/null; \
	else echo "No Chromium found: set CHROMIUM_PATH, or browser tests will be skipped"; fi
	@if [ -x /usr/bin/chromium-headless-shell ] || [ -n "$$CHROMIUM_PATH" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium-headless-shell >/dev/null; } \
		|| echo "No chromium-headless-shell: the browser tests drive the full Chromium"; \
	fi
	@if command -v pdftotext >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; \
	else echo "No pdftotext found: install poppler-utils, or the printed-report tests will be skipped"; fi

## Install Debian's PostgreSQL server binaries: the tests start a throw-away cluster of their own
## (tests/postgres_support.py); the package's own cluster is not used.
postgres:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || [ -n "$$POSTGRES_BIN" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	else echo "No PostgreSQL found: set POSTGRES_BIN, or the PostgreSQL tests will be skipped"; fi

## Install Debian's headless LibreOffice Calc: the workbook tests recalculate the .xlsx with it.
libreoffice:
	@if command -v soffice >/dev/null || [ -n "$$SOFFICE_PATH" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-calc-nogui >/dev/null; \
	else echo "No LibreOffice found: set SOFFICE_PATH, or the workbook tests will be skipped"; fi

run: $(STAMP)
	$(BIN)/streamlit run app.py --server.port $(PORT) $(ARGS)

## Every tier (tests/conftest.py TIERS), two workers; LibreOffice, PostgreSQL and Chromium are installed first.
test: $(STAMP) browser postgres libreoffice lint
	$(BIN)/python -m pytest -n $(WORKERS) --durations=15

## The fast tiers for the edit loop: no app, browser, command-line process, LibreOffice or PostgreSQL.
check: $(STAMP) lint
	HYPOTHESIS_PROFILE=quick $(BIN)/python -m pytest -n $(WORKERS) -q -m "(unit or oracle) and not external"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/python -m benchmarks.engine

## Interaction latency in headless Chromium against a served app, and the framework's floor.
bench-ui: $(STAMP) browser
	$(BIN)/python -m benchmarks.ui

## Ten concurrent browser sessions for a minute against one server (loopback only).
load-test: $(STAMP) browser
	$(BIN)/python -m benchmarks.load

## Mutation score of the core per module (mutmut, fast tests only): a measurement, not part of `make test`.
## MODULES=model.finance,exports.report limits it; a module takes minutes on two cores (costs and advisor the longest).
## Equivalent mutants (no observable change) are listed, with why, in benchmarks/equivalent_mutants.txt.
MODULES ?= model.pricing,model.costs,model.finance,exports.report,advice.advisor,model.risk,model.designs,fleet.programme,fleet.pool,fleet.devices,catalogs.currency,exports.workbook
mutation: $(STAMP)
	$(BIN)/pip install --quiet -e '.[test,mutation]'
	$(BIN)/python -m benchmarks.mutation --modules $(MODULES)

clean:
	rm -rf $(VENV) out .pytest_cache .hypothesis mutants plans.sqlite3*
