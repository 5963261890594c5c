# The two commands: `make run` and `make test` (see README.md).
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/alliance
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: run test bench install system-packages test-system-packages migrate vendor messages clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

system-packages:
	scripts/system-packages.sh

test-system-packages:
	scripts/system-packages.sh --tests

migrate: install
	$(PY) manage.py migrate --noinput

## make run: the application with its Celery worker and beat on http://127.0.0.1:8000, with the demo loaded.
run: system-packages install migrate
	$(PY) manage.py loaddemo
	scripts/run.sh

## make test: the whole suite, browser tests included, on PostgreSQL and Redis.
test: test-system-packages install
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
		$(PY) -m pytest $(PYTEST_ARGS)

## make bench: the national-scale benchmark (see docs/benchmarks.md).
bench: system-packages install
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
