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

.PHONY: all decks outputs test lint fuzz bench pictures clean system-deps

all: decks

$(STAMP): pyproject.toml
	$(MAKE) --no-print-directory system-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# Every output depends on every source: a `make` with nothing changed does nothing, and a change
# rebuilds every output, the PDFs laying out only cards that no build laid out before (they are
# kept in .cache/card-pages). Outputs build JOBS at a time, so that the packages, the site and the
# exports use the cores that a PDF build leaves idle while it reads the deck and writes its sheets.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
# The note history is left out: the whole-deck package writes it, after itself.
SOURCES := pyproject.toml $(shell find cards builder templates -type f -not -path '*/__pycache__/*' -not -name note-history.json)
OUT := dist/backend-interview
WHOLE_DECK_PDF := $(OUT)-up-to-principal-a4.pdf
PDFS := $(foreach paper,$(PAPERS),$(LEVELS:%=$(OUT)-up-to-%-$(paper).pdf))
# In the order they start: the whole deck's sheets, which take longest, as early as they can.
DECKS := $(OUT).apkg $(WHOLE_DECK_PDF) $(LEVELS:%=$(OUT)-up-to-%.apkg) $(OUT).tsv $(OUT)-quizlet.txt \
	dist/site/index.html $(PAPERS:%=dist/calibration-%.pdf) $(filter-out $(WHOLE_DECK_PDF),$(PDFS))

decks: $(STAMP)
	@$(MAKE) --no-print-directory --jobs=$(JOBS) outputs
outputs: $(DECKS)

# The whole-deck package first: it brings the note history up to date, which later outputs read.
# The other sheets after the whole deck's, which lay out every card: they reuse those pages
# instead of laying out the same cards side by side.
$(filter-out $(OUT).apkg,$(DECKS)): | $(OUT).apkg
$(filter-out $(WHOLE_DECK_PDF),$(PDFS)): | $(WHOLE_DECK_PDF)

$(OUT).apkg: $(STAMP) $(SOURCES)
	$(CLI) build
$(OUT)-up-to-%.apkg: $(STAMP) $(SOURCES)
	$(CLI) build --up-to $*
$(OUT).tsv: $(STAMP) $(SOURCES)
	$(CLI) export
$(OUT)-quizlet.txt: $(STAMP) $(SOURCES)
	$(CLI) export --format quizlet
dist/site/index.html: $(STAMP) $(SOURCES)
	$(CLI) site
# The stem is LEVEL-PAPER.
$(OUT)-up-to-%.pdf: $(STAMP) $(SOURCES)
	$(CLI) pdf --up-to $(firstword $(subst -, ,$*)) --paper $(lastword $(subst -, ,$*))
dist/calibration-%.pdf: $(STAMP) $(SOURCES)
	$(CLI) calibrate --paper $*

test: $(STAMP)
	$(BIN)/python -m pytest

# The long run of tests/test_fuzz.py (make test runs a short one): thousands of generated card files.
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest tests/test_fuzz.py

lint: $(STAMP)
	$(CLI) lint --strict
	$(CLI) check-code

# Times and memory of every command, beside markdown-anki-decks on the same generated cards;
# options through BENCH_FLAGS, e.g. make bench BENCH_FLAGS="--quick --runs 5".
bench: $(STAMP)
	$(BIN)/python scripts/bench.py $(BENCH_FLAGS)

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
