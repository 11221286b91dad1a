# `make` sets up .venv and builds every deck, card sheet and the study site into dist/; `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CLI := $(BIN)/python -m builder
LEVELS := junior mid senior staff principal
PAPERS := a4 letter
STAMP := $(VENV)/.installed
# Shared libraries and a font that WeasyPrint needs for the PDF card sheets, Graphviz for the
# cards' diagrams, and the browser the layout tests read every card in (Debian names).
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core graphviz chromium

.PHONY: all decks test fuzz lint bench pictures clean system-deps

all: decks

$(STAMP): pyproject.toml
	$(MAKE) --no-print-directory system-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

decks: $(STAMP)
	$(CLI) build
	$(CLI) site
	$(CLI) export
	$(CLI) export --format quizlet
	for level in $(LEVELS); do $(CLI) build --up-to $$level || exit 1; done
	for paper in $(PAPERS); do \
		$(CLI) calibrate --paper $$paper || exit 1; \
		for level in $(LEVELS); do $(CLI) pdf --up-to $$level --paper $$paper || exit 1; done; \
	done

test: $(STAMP)
	$(BIN)/python -m pytest

# The long run of tests/test_fuzz.py (make test runs a short one): thousands of generated card files.
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest tests/test_fuzz.py

lint: $(STAMP)
	$(CLI) lint --strict
	$(CLI) check-code

bench: $(STAMP)
	$(BIN)/python scripts/bench.py

# The README's phone screenshots and docs/printing.md's sheet pictures, from the shipped deck.
pictures: $(STAMP)
	$(BIN)/python scripts/pictures.py

# Installs missing Debian packages when run as root; otherwise says what to install.
system-deps:
	@command -v dpkg >/dev/null || { echo "not Debian: install Pango, HarfBuzz and a TrueType font for WeasyPrint yourself"; exit 0; }; \
	missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $$missing; \
	else echo "WeasyPrint needs these packages: sudo apt-get install $$missing"; exit 1; fi

clean:
	rm -rf dist $(VENV) .pytest_cache build *.egg-info
