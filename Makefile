# lianjian — one-command set-up. `make run` serves the demo; `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-fast lint typecheck install assets messages bench bench-quick bench-load clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	touch $@

install: $(VENV)/.installed

# Front-end libraries (htmx, Chart.js) come from the npm registry and are served locally.
node_modules/.installed: package.json
	@command -v npm >/dev/null || { echo "npm is required for the front-end assets (apt-get install npm)"; exit 1; }
	npm install --no-audit --no-fund --loglevel=error
	touch $@

assets: node_modules/.installed

run: install assets
	$(PY) -m lianjian migrate --noinput
	$(PY) -m lianjian demo
	@echo "==> http://$(HOST):$(PORT)/ and the background-job consumer  (Ctrl-C stops both)"
	$(PY) -m lianjian serve --host $(HOST) --port $(PORT)

test: install assets
	LIANJIAN_TESTING=1 $(PY) -m pytest $(PYTEST_ARGS)

test-fast: install
	LIANJIAN_TESTING=1 $(PY) -m pytest -m "not e2e" $(PYTEST_ARGS)

lint: install
	$(PY) -m ruff check lianjian bench
	$(PY) -m mypy lianjian
	$(VENV)/bin/lint-imports --no-logo  # the layer contract in pyproject.toml [tool.importlinter]

messages: install
	cd lianjian && ../$(PY) -m django makemessages -l en --no-obsolete --ignore "matching/data/*" --settings lianjian.settings && ../$(PY) -m django compilemessages -l en --settings lianjian.settings

# Benchmarks print figures; they are not tests. `bench` uses the sizes the issues name (slow),
# `bench-quick` small sizes for a smoke run.
bench: install
	$(PY) bench/matching.py
	$(PY) bench/lists_pages.py
	$(PY) bench/projects_pages.py
	$(PY) bench/ledger_import.py
	$(PY) bench/analytics.py
	$(PY) bench/board_poll.py
	$(PY) bench/load.py

# Pages through gunicorn under 8 concurrent clients, as ratios to a bare Django view (city scale).
bench-load: install
	$(PY) bench/load.py --needs 100000 --projects 50000

bench-quick: install
	$(PY) bench/matching.py --quick
	$(PY) bench/lists_pages.py --needs 5000 --projects 2000 --requests 20
	$(PY) bench/projects_pages.py --needs 5000 --projects 2000 --requests 20
	$(PY) bench/ledger_import.py --rows 2000
	$(PY) bench/analytics.py --communities 100 --projects 5000 --runs 3
	$(PY) bench/board_poll.py --polls 100
	$(PY) bench/load.py --needs 5000 --projects 2000 --requests 100

clean:
	rm -rf $(VENV) node_modules var/staticfiles .pytest_cache
