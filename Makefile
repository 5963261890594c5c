# The two commands: `make run` and `make test` (see README.md).
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/alliance
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
# Test processes (pytest-xdist). Each has its own test database (test_alliance_gw0 …) and Redis database
# (REDIS_URL's number plus the worker's: keep it at most 16 minus TEST_WORKERS). 2 suits a 2-core machine,
# where PostgreSQL needs its share of the CPU too (see docs/benchmarks.md); TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2

.PHONY: run test bench install lock system-packages test-system-packages migrate vendor messages clean

# The exact versions come from the lock files (requirements.lock: runtime and dev, installed here;
# requirements-runtime.lock: runtime only, installed by the Dockerfile). pyproject.toml states the ranges.
$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

# The compiled catalogue is built, not committed (git cannot merge it).
MO := locale/zh_Hans/LC_MESSAGES/django.mo
$(MO): locale/zh_Hans/LC_MESSAGES/django.po $(STAMP)
	$(PY) manage.py compilemessages -l zh_Hans --ignore=.venv

## make lock: after changing the dependencies in pyproject.toml, pin them again (commit both files;
## versions already pinned are kept: delete a line, or add --upgrade, to move one).
lock:
	test -x $(VENV)/bin/uv || $(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --universal -o requirements.lock
	$(VENV)/bin/uv pip compile pyproject.toml --universal -o requirements-runtime.lock

system-packages:
	scripts/system-packages.sh

test-system-packages:
	scripts/system-packages.sh --tests

migrate: install
	$(PY) manage.py migrate --noinput

## make run: the application with its Celery worker and beat on http://127.0.0.1:8000, with the demo loaded.
run: system-packages install $(MO) migrate
	$(PY) manage.py loaddemo
	scripts/run.sh

## make test: the whole suite, browser tests included, on PostgreSQL and Redis, in TEST_WORKERS processes.
test: test-system-packages install $(MO)
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
		$(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

## make bench: the national-scale benchmark (see docs/benchmarks.md).
bench: system-packages install $(MO)
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/alliance_bench} \
	REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} $(PY) bench/run.py

## make messages: refresh the catalogues after changing user-facing strings.
messages: install
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --ignore=.venv --ignore=node_modules --ignore=bench --ignore=tests
	$(PY) manage.py compilemessages -l zh_Hans --ignore=.venv

## make vendor: copy front-end files from npm packages into static/vendor, and axe-core (the accessibility
## test's checker) into tests/vendor (the copies are committed).
vendor:
	npm install --no-audit --no-fund
	mkdir -p static/vendor/htmx
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/
	cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/dist/chart.umd.min.js.map static/vendor/chartjs/
	mkdir -p tests/vendor/axe-core
	cp node_modules/axe-core/axe.min.js node_modules/axe-core/LICENSE tests/vendor/axe-core/

clean:
	rm -rf $(VENV) var staticfiles
