# The two commands the README promises: `make run` and `make test`.
# `make test` installs the headless Chromium the browser tests drive first (`make browser`:
# scripts/install-browser, which does nothing when /usr/bin/chromium exists).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# PostgreSQL server the test suite creates its throw-away databases on.
TEST_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
export TEST_POSTGRES_URL

.PHONY: run test browser lint setup clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "mentorbot needs Python 3.11 or newer (set PYTHON=python3.11)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/mentorbot migrate
	$(BIN)/mentorbot run

test: $(STAMP) browser
	MENTORBOT_REQUIRE_POSTGRES=1 $(BIN)/python -m pytest $(PYTEST_ARGS)

browser:
	scripts/install-browser

# Static checks (CI runs them before the tests).
lint: $(STAMP)
	$(BIN)/ruff check bot adapters scheduler storage mentorbot tests bench
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache *.egg-info
