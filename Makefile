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

# The browser assets from npm (bpmn-js, its properties panel, Chart.js), once per change of the
# pins, and the bundles esbuild makes of them (bpmn-auto-layout, the modeler) once per change of
# their sources: node_modules/ is ignored by git, the bundles land in node_modules/.tiepdan/.
NODE_STAMP := node_modules/.tiepdan/installed
$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is required (Debian: apt-get install nodejs npm)" >&2; exit 1; }
	npm ci --no-audit --no-fund
	mkdir -p node_modules/.tiepdan
	touch $(NODE_STAMP)

BUNDLE_STAMP := node_modules/.tiepdan/bundled
$(BUNDLE_STAMP): $(NODE_STAMP) scripts/build-assets.mjs $(wildcard tiepdan/webui/static/modeler/*)
	npm run --silent build
	touch $(BUNDLE_STAMP)

setup: $(STAMP) $(BUNDLE_STAMP)

run: setup
	$(BIN)/tiepdan init-db --demo
	$(BIN)/tiepdan serve --host 127.0.0.1 --port 5000

# Starts (installing it first when absent) a throw-away PostgreSQL server on loopback,
# then runs the whole suite against SQLite and PostgreSQL.
# A server that fails to start fails the run (eval of empty output would not).
# Debian's chromium is installed for the browser tests when absent; if it cannot be, the suite
# still runs and tests/browser fails in CI (skips locally) with the reason.
test: setup
	@scripts/browser-setup || true
	@pg_env="$$(scripts/pg-test-server start)" && eval "$$pg_env" && $(BIN)/pytest $(PYTEST_ARGS)

pg-test:
	scripts/pg-test-server start

bench: setup
	$(BIN)/python bench/lifecycle.py

clean:
	rm -rf $(VENV) var/test-*
