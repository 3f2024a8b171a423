# The two commands a newcomer needs: `make run` and `make test`.
# Both create .venv themselves and are safe to run again.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# Settings for the local server and the test suite; production sets its own.
RUN_ENV := DEBUG=1
PORT ?= 8000
TEST_ENV := DEBUG=0 SECRET_KEY=test-suite-only-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz ALLOWED_HOSTS=testserver,localhost,127.0.0.1 SECURE_COOKIES=0

.PHONY: run test venv lint bench clean

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

run: venv
	$(RUN_ENV) $(PY) manage.py migrate --noinput -v0
	$(RUN_ENV) $(PY) manage.py load_notice
	$(RUN_ENV) $(PY) manage.py seed_demo --shoot-day --code-campaign
	@# The job queue's worker runs beside the server and stops with it (Ctrl+C).
	$(RUN_ENV) $(PY) manage.py db_worker --no-reload --interval 0.5 -v0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(RUN_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

# Two processes share the suite (pytest-xdist), one test class each at a time so that
# a class's data and browser are set up once; PYTEST_ARGS= runs it in one process.
PYTEST_ARGS ?= -n 2 --dist loadscope

test: venv
	$(TEST_ENV) $(PY) manage.py collectstatic --noinput -v0
	$(TEST_ENV) $(PY) -m pytest $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: venv
	$(RUN_ENV) $(PY) bench/run.py

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 db.sqlite3-wal db.sqlite3-shm
