# Every target sets up what it needs, so a fresh clone needs only `make run` or `make test`.
PYTHON ?= $(shell command -v python3.13 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
DEV_INSTALLED := $(VENV)/.installed-dev
HOST ?= 127.0.0.1
PORT ?= 8000
TEST_WORKERS ?= auto
# Debian packages the tests need: the browser that Playwright drives.
APT_PACKAGES := chromium
# The load generator for `make bench`.
BENCH_PACKAGES := wrk

.PHONY: run dev test lint format install install-dev pins system-deps db admin-password bench bench-search bench-load clean

run: db ## Serve the whole product at http://127.0.0.1:8000 (SQLite, static files through whitenoise)
	$(BIN)/python manage.py collectstatic --noinput -v0
	@$(BIN)/python manage.py ensure_admin --site http://$(HOST):$(PORT)
	$(BIN)/gunicorn explorer.wsgi --config gunicorn.conf.py --bind $(HOST):$(PORT)

dev: db ## Django's development server, with DEBUG on and auto-reload
	@$(BIN)/python manage.py ensure_admin --site http://$(HOST):$(PORT)
	DJANGO_DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install-dev system-deps ## Run the whole test suite, browser tests included (DATABASE_URL picks the engine; SQLite by default)
	rm -rf test-artifacts
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: install-dev ## ruff: the one linter and formatter
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

install: $(INSTALLED) ## The runtime pins (requirements.txt)

install-dev: $(DEV_INSTALLED) ## The runtime pins and the test and development tools (requirements-dev.txt)

$(INSTALLED): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(DEV_INSTALLED): $(INSTALLED) requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

pins: install ## Compile requirements*.txt from requirements*.in, keeping today's pins unless asked to move
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile requirements.in -o requirements.txt --python-version 3.13 --no-header -q
	$(BIN)/uv pip compile requirements-dev.in -o requirements-dev.txt --python-version 3.13 --no-header -q
	sed -i '1i # Runtime pins only; compiled from requirements.in by `make pins` (each pin says which package needs it).' requirements.txt
	sed -i '1i # Test and development tools on top of the runtime pins; compiled from requirements-dev.in by `make pins`.\n-r requirements.txt' requirements-dev.txt

system-deps: ## Debian packages for the browser tests (apt-get, as root or through sudo)
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages: $$missing"; \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

bench: bench-search bench-load ## Every benchmark; figures go to BENCHMARKS.md by hand

bench-load: install-dev ## Load benchmark on loopback (about 5 minutes): gunicorn + whitenoise measured by wrk
	@$(MAKE) --no-print-directory system-deps APT_PACKAGES="$(BENCH_PACKAGES)"
	$(BIN)/python -m bench.load $(BENCH_ARGS)

db: install ## Migrate, then load the catalog into an empty database (edits are never overwritten)
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py load_catalog

bench-search: install-dev ## Search at 100,000 synthetic activities against the naive scan (SQLite; DATABASE_URL for another engine)
	$(BIN)/python -m bench.search_bench

admin-password: install ## Give the local admin user a new random password, and print it
	$(BIN)/python manage.py ensure_admin --reset

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
