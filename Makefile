# Convene: `make run` serves the demo on http://127.0.0.1:8000, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PICCOLO_CONF := piccolo_conf

.PHONY: run test install install-test migrate demo worker lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

migrate: install
	$(BIN)/convene migrate

# Idempotent: loads the demo coalition the first time, changes nothing after.
demo: migrate
	$(BIN)/convene demo

run: demo
	$(BIN)/uvicorn --factory events.app:create_app --host 127.0.0.1 --port $(PORT)

worker: install
	$(BIN)/taskiq worker events.tasks:broker certs.tasks

test: install-test
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check src tests bench

bench: install-test
	$(BIN)/python bench/registration_race.py

clean:
	rm -rf $(VENV) var .pytest_cache
