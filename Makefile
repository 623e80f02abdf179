# Samplan: `make run` and `make test` are all a new developer needs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt pyproject.toml | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in e-mails lead to the server `make run` starts.
SAMPLAN_BASE_URL ?= http://$(if $(filter 0.0.0.0,$(HOST)),127.0.0.1,$(HOST)):$(PORT)

.PHONY: run test bench setup messages browser lint format check-deploy clean

$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	@rm -f $(VENV)/.installed-*
	@touch $@

setup: $(STAMP) messages

# Swedish translations: compiled from locale/sv/LC_MESSAGES/django.po (needs gettext's msgfmt).
messages: $(STAMP)
	@command -v msgfmt >/dev/null || ./scripts/apt-install gettext
	@$(PY) manage.py compilemessages --ignore=$(VENV) --verbosity 0

# Browser tests drive Debian's Chromium through Playwright.
browser:
	@test -x /usr/bin/chromium || ./scripts/apt-install chromium

# The demo logins and the address are the last lines before the server's own; e-mails go to
# files in var/mail/ and the worker's log to var/log/worker.log, not to the terminal.
run: setup
	@mkdir -p var/log var/mail
	@echo "Migrating the database and loading the demo world..."
	@$(PY) manage.py migrate --noinput --verbosity 0
	@SAMPLAN_BASE_URL=$(SAMPLAN_BASE_URL) $(PY) manage.py load_demo
	@echo "\nE-mails are written to var/mail/, the background worker logs to var/log/worker.log."
	@echo "Samplan runs on $(SAMPLAN_BASE_URL)/ (stop with Ctrl-C)\n"
	@export SAMPLAN_BASE_URL=$(SAMPLAN_BASE_URL) DJANGO_RUNSERVER_HIDE_WARNING=true; \
	  $(PY) manage.py run_worker >>var/log/worker.log 2>&1 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py runserver $(HOST):$(PORT)

test: setup browser
	$(PY) -m pytest

# National scale (docs/performance.md): builds 300,000 plans in the PostgreSQL database of
# DATABASE_URL (or BENCH_DATABASE_URL, default samplan_bench on the local server) if it has no
# generated world yet, then measures every page through gunicorn against the floor view.
BENCH_DATABASE_URL ?= $(if $(filter postgres%,$(DATABASE_URL)),$(DATABASE_URL),postgres://postgres@127.0.0.1:5432/samplan_bench)
bench: setup
	@./scripts/pg-database "$(BENCH_DATABASE_URL)"
	DATABASE_URL="$(BENCH_DATABASE_URL)" $(PY) manage.py bench $(BENCH_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) var staticfiles
