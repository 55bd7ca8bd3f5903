# The README's two commands are `make run` and `make test`; everything else here serves them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test setup bench lint pg-test clean

# Re-install only when the dependency pins change.
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -c constraints.txt -e ".[test]"
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/tiepdan init-db --demo
	$(BIN)/tiepdan serve --host 127.0.0.1 --port 5000

# Starts (installing it first when absent) a throw-away PostgreSQL server on loopback,
# then runs the whole suite against SQLite and PostgreSQL.
# A server that fails to start fails the run (eval of empty output would not).
test: setup
	@pg_env="$$(scripts/pg-test-server start)" && eval "$$pg_env" && $(BIN)/pytest $(PYTEST_ARGS)

pg-test:
	scripts/pg-test-server start

bench: setup
	$(BIN)/python bench/lifecycle.py

clean:
	rm -rf $(VENV) var/test-*
