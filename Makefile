# Quick start: `make run` (set up and start the app), `make test` (set up and run every test).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8501

.PHONY: run test bench bench-ui load-test browser libreoffice clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

## Install Debian's Chromium (and an emoji font for the page icons) for the browser tests: Playwright's
## own browser download cannot work offline.
browser:
	@if [ -x /usr/bin/chromium ] || [ -n "$$CHROMIUM_PATH" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-color-emoji >/dev/null; \
	else echo "No Chromium found: set CHROMIUM_PATH, or browser tests will be skipped"; fi

## Install Debian's headless LibreOffice Calc: the workbook tests recalculate the .xlsx with it.
libreoffice:
	@if command -v soffice >/dev/null || [ -n "$$SOFFICE_PATH" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-calc-nogui >/dev/null; \
	else echo "No LibreOffice found: set SOFFICE_PATH, or the workbook tests will be skipped"; fi

run: $(STAMP)
	$(BIN)/streamlit run app.py --server.port $(PORT)

test: $(STAMP) browser libreoffice
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m benchmarks.engine

## Interaction latency in headless Chromium against a served app, and the framework's floor.
bench-ui: $(STAMP) browser
	$(BIN)/python -m benchmarks.ui

## Ten concurrent browser sessions for a minute against one server (loopback only).
load-test: $(STAMP) browser libreoffice
	$(BIN)/python -m benchmarks.load

clean:
	rm -rf $(VENV) out .pytest_cache .hypothesis
