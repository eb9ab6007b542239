# The two commands the README promises: `make run` and `make test`.
#
# Tests (pytest markers are registered in pyproject.toml):
#   make test       the whole suite, as CI runs it: in parallel (pytest-xdist, PYTEST_WORKERS of them,
#                   each with its own PostgreSQL database), every database test on SQLite and on
#                   PostgreSQL, which is required (the run fails if its half did not run, or skipped).
#                   Installs Chromium first for the browser tests (`make browser`).
#   make test-fast  the quick loop: everything but the tests marked `slow` (those that start
#                   processes, servers or a browser, or run a long simulation); PostgreSQL is used
#                   when reachable and its half skipped otherwise.
#   make browser    install the headless Chromium the browser tests drive (scripts/install-browser;
#                   does nothing when /usr/bin/chromium exists).
#   Extra pytest arguments: PYTEST_ARGS, e.g. `make test-fast PYTEST_ARGS="-k onboarding"`, or
#   PYTEST_ARGS='-m "not postgres"' for SQLite only; PYTEST_WORKERS=0 runs in one process.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# PostgreSQL server the test suite creates its throw-away databases on.
TEST_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
export TEST_POSTGRES_URL
# pytest-xdist workers for the test targets ("auto": one per CPU; 0: no workers, one process).
PYTEST_WORKERS ?= auto
PYTEST_PARALLEL := -n $(PYTEST_WORKERS) --dist worksteal

# LOCKED=1 installs the exact versions of requirements/test.lock (CI does; see `make lock`).
LOCKED ?=
LOCK_CONSTRAINTS := $(if $(filter 1,$(LOCKED)),-c requirements/test.lock)
PIP_COMPILE := $(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links \
	--no-emit-trusted-host --resolver=backtracking

.PHONY: run test test-fast browser lint setup clean docs fuzz lock messages catalogs

# Translations (see docs/translating.md): the languages with a catalog under locales/.
LANGUAGES := $(filter-out LC_MESSAGES,$(patsubst locales/%/LC_MESSAGES/messages.po,%,$(wildcard locales/*/LC_MESSAGES/messages.po)))
CATALOGS := $(foreach lang,$(LANGUAGES),locales/$(lang)/LC_MESSAGES/messages.mo)
PYBABEL_KEYWORDS := -k _ -k N_ -k gettext -k ngettext:1,2 -k pgettext:1c,2 -k translated_in:2

setup: $(STAMP)

$(STAMP): pyproject.toml $(if $(filter 1,$(LOCKED)),requirements/test.lock)
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "mentorbot needs Python 3.11 or newer (set PYTHON=python3.11)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(LOCK_CONSTRAINTS) -e ".[test]"
	touch $(STAMP)
	$(MAKE) --no-print-directory catalogs

# The lock files: the versions the tests passed with, for CI (LOCKED=1) and the Docker image
# (requirements/runtime.lock, the same versions without the test tools). Run after changing
# the dependencies in pyproject.toml; a test fails while they disagree.
lock: $(STAMP)
	$(PIP_COMPILE) --extra test -o requirements/test.lock pyproject.toml
	$(PIP_COMPILE) -c requirements/test.lock -o requirements/runtime.lock pyproject.toml

# The compiled catalogs (not committed; the bot also compiles a stale one in memory).
catalogs: $(CATALOGS)

locales/%/LC_MESSAGES/messages.mo: locales/%/LC_MESSAGES/messages.po | $(STAMP)
	$(BIN)/pybabel compile --statistics -D messages -d locales -l $*

# Extract every wrapped string into locales/messages.pot, bring each catalog up to date with it,
# and compile them. A new language: `make messages NEW=xx`.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg $(PYBABEL_KEYWORDS) --no-location --sort-output --width=100 \
		--project=mentorbot --copyright-holder="mentorbot contributors" -o locales/messages.pot .
	$(if $(NEW),$(BIN)/pybabel init -D messages -i locales/messages.pot -d locales -l $(NEW) --width=100,)
	$(if $(LANGUAGES)$(NEW),$(BIN)/pybabel update -D messages -i locales/messages.pot -d locales --no-fuzzy-matching \
		--ignore-obsolete --width=100,)
	$(MAKE) --no-print-directory catalogs

run: $(STAMP) catalogs
	$(BIN)/mentorbot migrate
	$(BIN)/mentorbot run

test: $(STAMP) catalogs browser
	MENTORBOT_REQUIRE_POSTGRES=1 $(BIN)/python -m pytest $(PYTEST_PARALLEL) $(PYTEST_ARGS)

test-fast: $(STAMP) catalogs
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) -m "not slow" $(PYTEST_ARGS)

browser:
	scripts/install-browser

# A longer property-based fuzz of the HTTP edges (make test runs a bounded, seeded share of it).
FUZZ_EXAMPLES ?= 3000
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=long FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) MENTORBOT_REQUIRE_POSTGRES=1 \
		$(BIN)/python -m pytest -q -s tests/fuzz $(PYTEST_ARGS)

# Static checks (CI runs them before the tests).
lint: $(STAMP)
	$(BIN)/ruff check bot adapters scheduler storage mentorbot calendars tests bench
	$(BIN)/mypy

# Regenerate docs/commands.md from the command registry (a test fails when it is stale).
docs: $(STAMP)
	$(BIN)/python -m bot.commands.reference

clean:
	rm -rf $(VENV) .pytest_cache *.egg-info
