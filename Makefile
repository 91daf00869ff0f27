# Convene: `make run` serves the demo on http://127.0.0.1:8000, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PICCOLO_CONF := events.piccolo_conf

.PHONY: run test faults install install-test migrate demo worker lint bench clean system-packages bench-packages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# WeasyPrint's fast font subsetting (libharfbuzz-subset0), the certificate fonts
# (fonts-dejavu-core; fonts-noto-core and fonts-noto-cjk for names in Arabic, Hebrew,
# Devanagari, Chinese, Japanese, Korean...), poppler-utils (the certificate tests read word
# boxes with pdftotext) and the browser of tests/browser (chromium: Playwright drives it, it
# never downloads one), where apt can install them; otherwise see the README.
SYSTEM_PACKAGES := libharfbuzz-subset0 fonts-dejavu-core fonts-noto-core fonts-noto-cjk \
	poppler-utils chromium
# The browser tests' screenshots (and those of failed tests): ignored by git, under var/.
export CONVENE_TEST_ARTIFACTS ?= $(CURDIR)/var/test-artifacts

# The benchmarks drive the server with wrk (bench/*.py).
BENCH_PACKAGES := wrk

system-packages bench-packages: PACKAGES = $(if $(filter bench-packages,$@),$(BENCH_PACKAGES),$(SYSTEM_PACKAGES))
system-packages bench-packages:
	@if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  missing=$$(for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	  if [ -n "$$missing" ]; then \
	    (apt-get install -y -qq $$missing || (apt-get update -qq && apt-get install -y -qq $$missing)) \
	      >/dev/null 2>&1 || echo "note: could not install $$missing (see README)"; \
	  fi; \
	fi

$(VENV)/.installed: $(BIN)/python pyproject.toml | system-packages
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

# Readable log lines while developing (production: JSON, see README "Operations").
run: export LOG_FORMAT ?= console
run: demo
	$(BIN)/uvicorn --factory events.app:create_app --host 127.0.0.1 --port $(PORT)

worker: install
	$(BIN)/taskiq worker events.tasks:broker certs.tasks bot.tasks

test: install-test
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check src tests bench

bench: install-test bench-packages
	@command -v wrk >/dev/null || { echo "make bench needs wrk (apt-get install wrk)" >&2; exit 1; }
	$(BIN)/python bench/registration_race.py
	$(BIN)/python bench/registration_race.py --web-workers 2
	$(BIN)/python bench/flash_crowd.py
	$(BIN)/python bench/calendar_feeds.py
	$(BIN)/python bench/certificates.py
	$(BIN)/python bench/announcements.py
	$(BIN)/python bench/web_pages.py
	$(BIN)/python bench/slack_ack.py
	$(BIN)/python bench/slack_answers.py

clean:
	rm -rf $(VENV) var .pytest_cache

# The fault suite (tests/faults): Convene as deployed (the Procfile's web and worker) on a
# PostgreSQL and a Redis of its own, with parts killed and restarted. Needs the PostgreSQL
# server binaries (initdb, pg_ctl) and redis-server; fails without them.
faults: install-test
	$(BIN)/pytest -m faults tests/faults $(PYTEST_ARGS)
