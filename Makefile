# Xuefen — the two commands: `make run` and `make test`. Everything else here serves them.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
XUEFEN := $(BIN)/xuefen
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck pytest assets messages lock clean serve-check bench

run: $(VENV)/.runtime assets
	$(XUEFEN) setup
	$(XUEFEN) serve --bind $(HOST):$(PORT)

test: $(VENV)/.dev assets
	$(MAKE) --no-print-directory lint typecheck
	$(XUEFEN) makemigrations --check --dry-run
	$(XUEFEN) messages --check
	$(MAKE) --no-print-directory pytest

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck:
	$(BIN)/mypy xuefen

# pytest exits 5 when it collects nothing; that must fail too, so it is not special-cased.
pytest:
	$(BIN)/pytest $(PYTEST_ARGS)

$(VENV)/.python:
	@py=$$(scripts/find-python) || exit 1; \
	echo "Creating $(VENV) with $$py"; \
	"$$py" -m venv $(VENV) && $(BIN)/python -m pip install --quiet --upgrade pip && touch $@

$(VENV)/.runtime: $(VENV)/.python requirements.lock pyproject.toml
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.lock
	$(BIN)/pip install --quiet -r requirements-dev.lock
	touch $@

# Front-end packages (htmx, Chart.js, the Chinese font for PDFs) come from npm, pinned by package-lock.json,
# and are copied into the application's static folder: nothing is loaded from a CDN.
assets: xuefen/static/vendor/.stamp

xuefen/static/vendor/.stamp: package.json package-lock.json scripts/copy-assets
	@command -v npm >/dev/null || { echo "Node.js and npm are needed for the front-end packages."; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	scripts/copy-assets
	touch $@

# Regenerates the translation catalogues of every app from the source, then compiles them.
messages: $(VENV)/.dev
	$(XUEFEN) messages

# Re-pins the dependencies after pyproject.toml changes (needs uv: `pip install uv`).
lock:
	uv pip compile pyproject.toml --python-version 3.12 -o requirements.lock -q
	uv pip compile pyproject.toml --extra dev --python-version 3.12 -c requirements.lock -o requirements-dev.lock -q

bench: $(VENV)/.dev
	$(BIN)/python bench/recompute.py
	$(BIN)/python bench/post_read.py
	$(BIN)/python bench/import_roster.py

clean:
	rm -rf $(VENV) node_modules xuefen/static/vendor var/static
