.PHONY: run test lint format worker bench loadtest
PY := .venv/bin/python
# The first Python >= 3.12 that actually runs: on the PATH, else pyenv's installed versions
# (a pyenv shim answers "command not found" until a version is selected). `make PYTHON=...` overrides.
PYTHON ?= $(shell for p in python3.13 python3.12 python3 $$(pyenv root 2>/dev/null)/versions/3.1[2-9]*/bin/python3; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; break; }; done)
PYTEST_ARGS ?=
JS_DEPS := tests/js/node_modules/.package-lock.json

.venv/installed: pyproject.toml
	$(if $(PYTHON),,$(error Python 3.12+ is required: install it, or run make PYTHON=/path/to/python3.12))
	$(PYTHON) -m venv .venv && $(PY) -m pip install -q --upgrade pip && $(PY) -m pip install -q -e ".[dev]" && touch $@

run: .venv/installed
	DJANGO_DEBUG=1 $(PY) manage.py migrate
	DJANGO_DEBUG=1 $(PY) manage.py seed_demo
	DJANGO_DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

# The W3C Nu HTML validator for tests/clinic/test_html_validity.py: npm's vnu-jar (pinned in
# tools/vnu/package-lock.json) installed into tools/vnu/node_modules (git-ignored), run with the machine's
# Java. Its install script is not run (it would fetch a Java runtime of its own). Without npm the test is
# skipped, and fails with CI set.
VNU_JAR := tools/vnu/node_modules/vnu-jar/build/dist/vnu.jar

$(VNU_JAR): tools/vnu/package.json tools/vnu/package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --prefix tools/vnu --ignore-scripts --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm is not installed: the HTML validity test will be skipped (or fail with CI set)"; fi

test: .venv/installed $(JS_DEPS) $(VNU_JAR)
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

# Mozilla's ical.js (the calendar parser of Thunderbird and Nextcloud), pinned in tests/js/package-lock.json,
# for tests/appointments/test_calendar_clients.py. npm writes node_modules/.package-lock.json, so this runs
# again only when the lock file changes. Without npm, or when the install fails (offline with an empty
# npm cache), the run goes on and those tests skip, or fail when CI is set.
$(JS_DEPS): tests/js/package-lock.json
	@if ! command -v npm >/dev/null; then echo "npm not found: the ical.js tests will skip (fail with CI set)"; \
	else cd tests/js && npm ci --prefer-offline --no-audit --no-fund --loglevel=error \
		|| echo "npm ci failed in tests/js: the ical.js tests will skip (fail with CI set)"; fi

lint: .venv/installed
	$(PY) -m ruff check . && $(PY) -m ruff format --check .
	DJANGO_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run && DJANGO_DEBUG=1 $(PY) manage.py check

# Production-style background work: the database task worker plus the once-a-minute sweep that hands
# due reminders, feedback requests and retries to it, and the daily retention sweep that anonymises
# visits past PATIENT_RETENTION_DAYS. Uses the environment as it is (set DATABASE_URL,
# DJANGO_SECRET_KEY, EMAIL_URL ...); DJANGO_TASKS_BACKEND defaults to db here.
worker: .venv/installed
	DJANGO_TASKS_BACKEND=$${DJANGO_TASKS_BACKEND:-db} $(PY) manage.py send_due_messages --every 60 & \
	sweep=$$!; \
	DJANGO_TASKS_BACKEND=$${DJANGO_TASKS_BACKEND:-db} $(PY) manage.py anonymise_old_visits --every 86400 & \
	retention=$$!; \
	trap 'kill $$sweep $$retention' EXIT INT TERM; \
	DJANGO_TASKS_BACKEND=$${DJANGO_TASKS_BACKEND:-db} $(PY) manage.py db_worker --queue-name default

format: .venv/installed
	$(PY) -m ruff check --fix . && $(PY) -m ruff format .

# Seeds a large data set into a fresh database (PostgreSQL clinic_bench when DATABASE_URL is set,
# else bench/bench.sqlite3), serves it with gunicorn and loads each URL with wrk: see bench/run.py.
bench: .venv/installed
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
	$(PY) -m bench.run $(BENCH_ARGS)

# Two gunicorn servers on two loopback ports, one PostgreSQL database (DATABASE_URL, required) and one
# Redis (REDIS_URL, required): concurrent bookings for the same slots on both, no double booking.
loadtest: .venv/installed
	$(PY) -m bench.loadtest $(LOADTEST_ARGS)
