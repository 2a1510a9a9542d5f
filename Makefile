# The README's two commands: `make demo` and `make test`. Each sets up .venv by itself.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: demo test lint

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	touch $@

# Bring the blog up on SQLite with demo content at http://127.0.0.1:8000/ (or `make demo PORT=8080`).
PORT ?= 8000
demo: export DEBUG ?= true
demo: export SITE_URL ?= http://127.0.0.1:$(PORT)
demo: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# Run the whole test suite (browser tests too, when Chromium is there or can be installed).
test: export SECRET_KEY ?= insecure-key-for-the-test-suite-only
test: $(VENV)/.installed
	@bash .ci/ensure-browser
	@[ -d node_modules/axe-core ] || npm ci --no-audit --no-fund
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
