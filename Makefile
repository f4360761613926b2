# The two commands a newcomer runs on a fresh machine: `make demo` and `make test`.
# Both do all set-up themselves: a virtualenv in .venv with the kit and its test extras.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: demo test test-docker lint format template-lock examples-level services system-packages docker-packages clean

$(INSTALLED): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/pip install --quiet --editable '.[test]'
	touch $@

## demo: stamp a service and run it alone on its embedded default, then exercise it over HTTP
demo: $(INSTALLED)
	$(BIN)/python examples/demo.py

CHECKOV := $(VENV)/checkov/bin/checkov

## test: every test of the kit (needs PostgreSQL and Redis: `make services` starts them)
test: $(INSTALLED) $(CHECKOV) services system-packages
	$(BIN)/python -m pytest

## test-docker: build a stamped service's image and run it in a private Docker engine (slow)
test-docker: $(INSTALLED) services docker-packages
	$(BIN)/python -m pytest -m docker tests/docker

# checkov pins old versions of packages the kit shares, so it gets a virtualenv of its own.
$(CHECKOV):
	$(PYTHON) -m venv $(VENV)/checkov
	$(VENV)/checkov/bin/pip install --quiet 'checkov==3.3.30'

## lint: Black and flake8 over the kit's own code
lint: $(INSTALLED)
	$(BIN)/black --check .
	$(BIN)/flake8

format: $(INSTALLED)
	$(BIN)/black .

## services: start the local PostgreSQL and Redis if they are not running
services:
	@bash .ci/services

## system-packages: Debian's chromium (browser tests), wrk (benchmarks) and pgbouncer, if missing
system-packages:
	@bash .ci/system-packages

## docker-packages: Debian's Docker engine and compose, and debootstrap for the base image
docker-packages:
	@bash .ci/docker-packages

## template-lock: re-lock the dependencies every new service starts from
template-lock: $(INSTALLED)
	$(BIN)/python template/lock_dependencies.py

## examples-level: bring examples/ level with the committed template (satchel upgrade --to HEAD)
examples-level: $(INSTALLED)
	$(BIN)/python examples/level.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
