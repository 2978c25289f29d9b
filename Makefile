# The README's two set-up commands are `make install` and `make test`; .ci/run runs exactly these.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
# TF_EXTRA=gpu installs tensorflow[and-cuda] instead of the CPU-only wheel.
TF_EXTRA ?= cpu

.PHONY: install test bench check

install:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[$(TF_EXTRA),onnx,bench,tfds-cli,dev]"

test:
	$(PY) -m pytest -q

# Speed and memory benchmarks: run on demand, they print their figures (benchmarks/_*.py are shared helpers).
bench:
	for script in benchmarks/[!_]*.py; do $(PY) $$script || exit 1; done
