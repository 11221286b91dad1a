# `make` sets up .venv and builds every deck and card sheet into dist/; `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CLI := $(BIN)/python -m builder
LEVELS := junior mid senior staff principal
STAMP := $(VENV)/.installed

.PHONY: all decks test lint bench clean

all: decks

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

decks: $(STAMP)
	$(CLI) build
	for level in $(LEVELS); do $(CLI) build --up-to $$level || exit 1; done

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(CLI) lint --strict

clean:
	rm -rf dist $(VENV) .pytest_cache build *.egg-info
