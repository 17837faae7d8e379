# Every target sets up what it needs, so a fresh clone needs only `make run` or `make test`.
PYTHON ?= $(shell command -v python3.13 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run dev test lint format install db admin-password bench clean

run: db ## Serve the whole product at http://127.0.0.1:8000 (SQLite, static files through whitenoise)
	$(BIN)/python manage.py collectstatic --noinput -v0
	@$(BIN)/python manage.py ensure_admin
	$(BIN)/gunicorn explorer.wsgi --config gunicorn.conf.py --bind $(HOST):$(PORT)

dev: db ## Django's development server, with DEBUG on and auto-reload
	@$(BIN)/python manage.py ensure_admin
	DJANGO_DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install ## Run the whole test suite
	$(BIN)/python -m pytest

lint: install ## ruff: the one linter and formatter
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

install: $(INSTALLED)

$(INSTALLED): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

db: install ## Migrate, then load the catalog into an empty database (edits are never overwritten)
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py load_catalog

admin-password: install ## Give the local admin user a new random password, and print it
	$(BIN)/python manage.py ensure_admin --reset

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
