# The two commands the README promises: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# PostgreSQL server the test suite creates its throw-away databases on.
TEST_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
export TEST_POSTGRES_URL

.PHONY: run test lint setup clean docs fuzz

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

test: $(STAMP)
	MENTORBOT_REQUIRE_POSTGRES=1 $(BIN)/python -m pytest $(PYTEST_ARGS)

# A longer property-based fuzz of the HTTP edges (make test runs a bounded, seeded share of it).
FUZZ_EXAMPLES ?= 3000
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=long FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) MENTORBOT_REQUIRE_POSTGRES=1 \
		$(BIN)/python -m pytest -q -s tests/fuzz $(PYTEST_ARGS)

# Static checks (CI runs them before the tests).
lint: $(STAMP)
	$(BIN)/ruff check bot adapters scheduler storage mentorbot tests bench
	$(BIN)/mypy

# Regenerate docs/commands.md from the command registry (a test fails when it is stale).
docs: $(STAMP)
	$(BIN)/python -m bot.commands.reference

clean:
	rm -rf $(VENV) .pytest_cache *.egg-info
