# The README's two set-up commands are `make install` and `make test`; .ci/run runs exactly these.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
# TF_EXTRA=gpu installs tensorflow[and-cuda] instead of the CPU-only wheel.
TF_EXTRA ?= cpu

.PHONY: install test bench bench-full check

install:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[$(TF_EXTRA),onnx,bench,tfds-cli,dev]"

test:
	$(PY) -m pytest -q

# Benchmarks, run on demand, one after the other (benchmarks/_run.py; benchmarks/_*.py are helpers):
# `bench` in each script's quick scope (a smoke check, under 30 min on 2 cores), `bench-full` the published figures.
# BENCH_ARGS: more runner options, e.g. BENCH_ARGS="--json bench.json qrs score".
bench:
	$(PY) benchmarks/_run.py $(BENCH_ARGS)

bench-full:
	$(PY) benchmarks/_run.py --full $(BENCH_ARGS)
