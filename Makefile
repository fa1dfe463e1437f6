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

.PHONY: test lint typecheck pytest example-tests demo docs screenshots messages messages-check install clean

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

# Translations (GNU gettext needed): re-extract every marked string into each language's catalogue
# (the package's locale/ and the simulator app's), then compile the .mo files committed beside
# them. Translate the new entries (no fuzzy, no empty msgstr) and run it again to compile.
# A new language: cd django_vonage_meetings && ../.venv/bin/django-admin makemessages -l xx
# --add-location file, then this. tests/i18n/test_catalogues.py runs the same makemessages.
MAKEMESSAGES := makemessages --all --add-location file --no-obsolete
messages: install
	cd django_vonage_meetings && ../$(BIN)/django-admin $(MAKEMESSAGES)
	cd django_vonage_meetings && ../$(BIN)/django-admin compilemessages

# CI: every committed .mo is what compilemessages makes of its .po (msgfmt is deterministic), so
# a .po edit cannot land without its .mo. Touching the .po files makes compilemessages recompile
# them all (it skips a .mo newer than its .po, and a fresh clone's mtimes say nothing).
messages-check: install
	find django_vonage_meetings -name django.po -path '*/LC_MESSAGES/*' -exec touch {} +
	cd django_vonage_meetings && ../$(BIN)/django-admin compilemessages --verbosity 0
	@new=$$(git ls-files --others --exclude-standard -- '*.mo'); \
	if ! git --no-pager diff --exit-code --stat -- '*.mo' || [ -n "$$new" ]; then \
	  echo "$$new"; \
	  echo "A .mo is not what its .po compiles to (or is not committed): run make messages, commit."; \
	  exit 1; \
	fi

docs: install
	$(BIN)/sphinx-build -W --keep-going -b html docs docs/_build/html

demo: install
	HOST=$(HOST) PORT=$(PORT) $(BIN)/python scripts/demo.py

clean:
	rm -rf $(VENV) .tox build *.egg-info docs/_build .mypy_cache .ruff_cache
