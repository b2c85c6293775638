# habeas: `make demo` runs the register on a SQLite file; `make test` runs every test
# on SQLite and on a real PostgreSQL server (with a streaming replica and PgBouncer in
# transaction mode in front). Both install into .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
DEMO_DB ?= sqlite:///habeas-demo.db

.PHONY: install demo test lint bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
	@rm -f $(VENV)/.installed-*; touch $@

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/habeas --help >/dev/null
	$(BIN)/python -m habeas.demo --db "$(DEMO_DB)" --serve

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

test: $(STAMP) lint
	@url=$$(scripts/postgres-for-tests.sh) && replicated=$$(scripts/replica-for-tests.sh primary) && \
	  replica=$$(scripts/replica-for-tests.sh) && bouncer=$$(scripts/pgbouncer-for-tests.sh) && \
	  browser=$$(scripts/chromium-for-tests.sh) && HABEAS_TEST_POSTGRES_URL="$$url" \
	  HABEAS_TEST_REPLICATED_URL="$$replicated" HABEAS_TEST_REPLICA_URL="$$replica" \
	  HABEAS_TEST_PGBOUNCER_URL="$$bouncer" HABEAS_TEST_BROWSER="$$browser" \
	  $(BIN)/python -m pytest -q -n 2 -p no:cacheprovider

# The bench on SQLite, the local PostgreSQL server, and its streaming pair (the load test's
# reads on the replica), started as `make test` starts them unless the environment names others.
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[bench]"
	@url=$$(scripts/postgres-for-tests.sh) && replicated=$$(scripts/replica-for-tests.sh primary) && \
	  replica=$$(scripts/replica-for-tests.sh) && \
	  HABEAS_BENCH_POSTGRES_URL="$${HABEAS_BENCH_POSTGRES_URL:-$$url}" \
	  HABEAS_BENCH_REPLICATED_URL="$${HABEAS_BENCH_REPLICATED_URL:-$$replicated}" \
	  HABEAS_BENCH_REPLICA_URL="$${HABEAS_BENCH_REPLICA_URL:-$$replica}" \
	  $(BIN)/python -m bench

clean:
	rm -rf $(VENV) habeas-demo.db* .pytest_cache .ruff_cache
