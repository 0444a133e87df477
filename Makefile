# `make run` / `make test` / `make bench` bootstrap .venv (and fonts) idempotently first.
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: bootstrap run test bench

bootstrap:
	@scripts/bootstrap.sh

# Honours CARDOCR_HOST, CARDOCR_PORT and CARDOCR_CONFIG from the environment.
run: bootstrap
	$(VENV)/bin/cardocr serve

test: bootstrap
	$(PY) -m pytest -q -n 2

bench: bootstrap
	$(PY) -m bench.run
