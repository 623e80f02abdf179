# Samplan: `make run` and `make test` are all a new developer needs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt pyproject.toml | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

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

run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@echo "\nSamplan runs on http://$(HOST):$(PORT)/ with its background worker (stop with Ctrl-C)\n"
	$(PY) manage.py run_worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
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
