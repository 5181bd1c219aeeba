# privindex: `make run` serves the index on embedded defaults; `make test` runs every test
# (in parallel, with coverage floors); `make check` runs the linters and type checks.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
# The test suite runs on PostgreSQL (pytest-django creates and drops test_<name>; under
# pytest-xdist one per worker: test_<name>_gw0, test_<name>_gw1, ...).
TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/privindex
# pytest-xdist workers: auto is one per CPU, 0 runs everything in one process. loadgroup keeps
# the stack tests that start the app's processes on one worker (tests/conftest.py says why).
TEST_WORKERS ?= auto
XDIST := -n $(TEST_WORKERS) --dist loadgroup
# Branch coverage of the source packages ([tool.coverage] in pyproject.toml), combined over the
# workers into .coverage; scripts/coverage_floors.py then checks the per-path floors. The floors
# are for the whole suite: narrowing it with PYTEST_ARGS makes them fail (use pytest directly).
# `make test COVERAGE=` runs without coverage and without the floors (about a third less CPU).
COVERAGE := --cov --cov-report=


.PHONY: run test test-fast check install install-dev migrate lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput

run: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python manage.py bootstrap
	$(BIN)/gunicorn privindex.wsgi:application --bind $(HOST):$(PORT) \
		--workers $(WORKERS) --threads 4 --timeout 300 --access-logfile - \
		--access-logformat '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'

test: $(VENV)/.installed-dev
	DATABASE_URL=$(TEST_DATABASE_URL) \
		$(BIN)/python -m pytest $(XDIST) $(COVERAGE) $(PYTEST_ARGS)
	$(if $(COVERAGE),$(BIN)/python scripts/coverage_floors.py)

# The suite without the real clients (e2e), the browser (browser) and the production stack
# (stack), no coverage.
test-fast: $(VENV)/.installed-dev
	DATABASE_URL=$(TEST_DATABASE_URL) \
		$(BIN)/python -m pytest $(XDIST) -m "not e2e and not browser and not stack" $(PYTEST_ARGS)

# Every step runs, and check fails if any failed, so one run shows every problem.
# lint-imports reads .importlinter; checks/ (our own contract types) is imported from here.
check: $(VENV)/.installed-dev
	@status=0; \
	echo "== ruff check"; $(BIN)/ruff check . || status=1; \
	echo "== ruff format --check"; $(BIN)/ruff format --check . || status=1; \
	echo "== mypy"; $(BIN)/mypy || status=1; \
	echo "== lint-imports"; PYTHONPATH=. $(BIN)/lint-imports .importlinter || status=1; \
	echo "== scripts/standards.py --check"; $(BIN)/python scripts/standards.py --check || status=1; \
	if [ $$status -ne 0 ]; then echo "make check: FAILED (see above)"; fi; \
	exit $$status

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

bench: $(VENV)/.installed-dev
	DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/python bench/run.py $(BENCH_ARGS)
	$(BIN)/python bench/upload_memory.py

clean:
	rm -rf $(VENV) var .artefacts .pytest_cache .mypy_cache .import_linter_cache .coverage .coverage.* htmlcov
