# The two commands of the README: `make test` and `make demo`. Each sets itself up on a fresh
# machine (virtualenv, package, browser) and can be run again at no cost.

SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

# pyenv shims only find the interpreters of the selected versions; select them all (global first)
# so tox and the Django 6 run can find python3.12/3.13 on machines set up with pyenv.
export PYENV_VERSION ?= $(shell command -v pyenv >/dev/null 2>&1 && { pyenv version-name; pyenv versions --bare | grep -E '^3\.1[0-9]'; } | paste -sd: -)

.PHONY: test lint typecheck pytest example-tests demo docs screenshots install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the package metadata changed.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy django_vonage_meetings tests benchmarks example_project scripts/demo.py scripts/readme_check.py

pytest: install
	scripts/ensure-chromium
	$(BIN)/pytest -m "not postgres and not workers" $(PYTEST_ARGS)
	$(MAKE) example-tests

# The example project's own tests, which use only the public test kit, both ways users run them.
example-tests: install
	$(BIN)/pytest example_project/tests
	$(BIN)/python example_project/manage.py test example_project.tests --noinput

test: lint typecheck pytest

# Retake the admin guide's screenshots with the browser tests.
screenshots: install
	scripts/ensure-chromium
	DVM_UPDATE_SCREENSHOTS=1 $(BIN)/pytest -m browser $(PYTEST_ARGS)

docs: install
	$(BIN)/sphinx-build -W --keep-going -b html docs docs/_build/html

demo: install
	HOST=$(HOST) PORT=$(PORT) $(BIN)/python scripts/demo.py

clean:
	rm -rf $(VENV) .tox build *.egg-info docs/_build .mypy_cache .ruff_cache
