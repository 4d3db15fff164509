# Tahqiq: `make demo` runs the whole pipeline on synthetic data; `make test` runs the test suite.
# Both build the virtual environment at .venv first, with nothing installed by hand.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_PERSONS ?= 20000
DEMO_DIR ?= demo-data

.PHONY: venv demo test test-sqlite bench clean help

help:
	@echo "make demo   - set up, generate a synthetic Punjab dataset, ingest it, and report"
	@echo "make test   - set up and run the test suite (SQLite and PostgreSQL)"
	@echo "make bench  - run the benchmarks in bench/ (long; results go in docs/benchmarks.md)"

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) (Python 3.11)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test,spark]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/tahqiq demo --persons $(DEMO_PERSONS) --out $(DEMO_DIR)

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/bench_ingest.py

clean:
	rm -rf $(VENV) .tahqiq $(DEMO_DIR) .pytest_cache .hypothesis
