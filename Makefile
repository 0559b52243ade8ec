# Two commands matter: `make demo` and `make test`. Both work in a fresh clone.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
STAMP := $(VENV)/.installed-stamp
NODE_STAMP := node_modules/.installed-stamp
CSS := build/static/portal/css/portal.css
TWILIO_JS := build/static/twilio/twilio.min.js

# Django 6.1 needs Python 3.12 or newer: take the first suitable interpreter we can find
# (pyenv's, then the system's). Override with `make PYTHON=/path/to/python3.13 ...`.
PYTHON ?= $(shell for c in python3.13 python3.12 python3 \
	$(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3) $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3); do \
	command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
	&& { command -v $$c; break; }; done)

.PHONY: help
help:
	@echo "make demo      set up, load demo data and serve http://127.0.0.1:8000 (SQLite)"
	@echo "make test      set up and run the whole test suite (PostgreSQL if DATABASE_URL is set)"
	@echo "make lint      ruff, djhtml, import contracts, migrations check"
	@echo "make messages  update translation catalogues and compile them"
	@echo "make worker    run the background task worker"

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is needed (see .python-version)."; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(CSS): $(NODE_STAMP) $(wildcard portal/static/portal/scss/*.scss)
	@mkdir -p build/static/portal/css build/static/govuk
	npx sass --no-source-map --quiet-deps --style=compressed --load-path=node_modules \
		portal/static/portal/scss/portal.scss $(CSS)
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js build/static/govuk/
	cp -r node_modules/govuk-frontend/dist/govuk/assets/images build/static/govuk/

# Twilio's Voice JavaScript SDK for the desk's softphone, served by us (no CDN).
$(TWILIO_JS): $(NODE_STAMP)
	@mkdir -p $(dir $@)
	cp node_modules/@twilio/voice-sdk/dist/twilio.min.js $@

.PHONY: install assets
install: $(STAMP) $(NODE_STAMP)
assets: $(CSS) $(TWILIO_JS)

.PHONY: compilemessages
compilemessages: $(STAMP)
	$(MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v 0

.PHONY: demo
demo: install assets compilemessages
	$(MANAGE) migrate --no-input
	$(MANAGE) load_demo
	@echo "Starting the background workers (tasks, SLA tick, SMS filing) and the web server on http://127.0.0.1:8000 (Ctrl-C stops them all)"
	@trap 'kill 0' INT TERM EXIT; \
		$(MANAGE) db_worker --queue-name '*' --no-reload & \
		$(MANAGE) tick --every 60 & \
		$(MANAGE) file_texts & \
		$(MANAGE) runserver 127.0.0.1:8000

.PHONY: worker
worker: install
	$(MANAGE) db_worker --queue-name '*'

# Two processes (pytest-xdist), each with its own test database: the suite in about half the
# time on 2 cores (12 minutes against 22 on a slow day here). `make test PYTEST_ARGS=` runs it
# in one process; `PYTEST_ARGS="-n 2 tests/channels"` a part of it.
PYTEST_ARGS ?= -n 2

.PHONY: test
test: install assets compilemessages
	DJANGO_SETTINGS_MODULE=portal.settings.test DJANGO_ALLOW_ASYNC_UNSAFE=true \
		$(BIN)/pytest $(PYTEST_ARGS)

.PHONY: lint
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djhtml --check $$(git ls-files '*.html')
	$(BIN)/lint-imports --no-cache
	DJANGO_SETTINGS_MODULE=portal.settings.test $(MANAGE) makemigrations --check --dry-run
	@mkdir -p var
	DJANGO_SETTINGS_MODULE=portal.settings.test $(MANAGE) spectacular --validate --fail-on-warn --file var/api-schema.yml
	$(BIN)/openapi-spec-validator var/api-schema.yml
	$(MANAGE) check_translations

.PHONY: messages
messages: install
	$(MANAGE) makemessages --all --no-obsolete --ignore=.venv --ignore=node_modules \
		--ignore=build --ignore=var --ignore=tests --ignore=bench
	$(MANAGE) compilemessages --ignore=.venv --ignore=node_modules --ignore=build --ignore=var
	$(MANAGE) check_translations

.PHONY: clean
clean:
	rm -rf $(VENV) node_modules build var db.sqlite3
