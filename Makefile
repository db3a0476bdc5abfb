# make run: set up and run one cycle on the default config.  make test: set up and run lint + tests.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[web,dev]'
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/pactwatch run --once

lint: setup
	$(BIN)/ruff check pipeline tests benchmarks

test: setup lint
	$(BIN)/pytest --cov=pipeline --cov-report=term:skip-covered --cov-fail-under=85

bench: setup
	$(BIN)/python benchmarks/nlp.py
	$(BIN)/python benchmarks/fetch.py
	$(BIN)/python benchmarks/e2e.py
	$(BIN)/python benchmarks/queries.py
	$(BIN)/python benchmarks/bombs.py

clean:
	rm -rf $(VENV) data .pytest_cache
