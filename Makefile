# The two commands of the README: `make run` and `make test`. Everything else is set-up they do.
PY    ?= python3
VENV  := .venv
BIN   := $(VENV)/bin
SUDO  := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
STAMP := $(VENV)/.installed

.PHONY: run test install chromium clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(STAMP)

## ingest seeds/ into ./kg-data and serve it on http://127.0.0.1:8000
run: install
	$(BIN)/kg ingest seeds/
	$(BIN)/kg serve

## Debian's Chromium for the browser tests (never `playwright install`)
chromium:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && \
	  $(SUDO) apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core; }

## install everything and run the whole suite (slow and browser tests included)
test: install chromium
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) kg-data artifacts .pytest_cache
