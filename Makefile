# `make run` / `make test` / `make bench` bootstrap .venv (and fonts) idempotently first.
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: bootstrap run test bench

bootstrap:
	@scripts/bootstrap.sh

# Honours CARDOCR_HOST, CARDOCR_PORT and CARDOCR_CONFIG from the environment.
run: bootstrap
	$(VENV)/bin/cardocr serve

# lint (ruff: pyproject's [tool.ruff]), types (mypy: [tool.mypy], strict on types, render/, api/), then the tests
test: bootstrap
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(PY) -m pytest -q -n 2

bench: bootstrap
	$(PY) -m bench.run
