# The course's commands. `make book` and `make test` set everything up on a fresh machine (Python >= 3.10).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup release book translate test test-fast lint bench clean

# PyTorch's index of CPU-only wheels. On Linux, PyPI's torch is the CUDA build (about 2.7 GB with its CUDA
# libraries), so `make setup` takes torch from this index when it answers within 5 s; `torch==2.13.0` in
# constraints.txt matches its `2.13.0+cpu`. macOS and Windows keep PyPI's wheels (CPU, or MPS on Apple
# silicon). Point it elsewhere to check the choice: `make -n setup TORCH_CPU_INDEX=http://127.0.0.1:8000`.
TORCH_CPU_INDEX ?= https://download.pytorch.org/whl/cpu
TORCH_PIN = $(shell sed -n 's/^torch==//p' constraints.txt)
# Exit status 0 when TORCH_CPU_INDEX serves a torch page within 5 s (name lookup included: in a thread).
TORCH_PROBE = $(PYTHON) -c 'import sys, threading, urllib.request as u; ok = []; \
	ask = u.Request(sys.argv[1].rstrip("/") + "/torch/", method="HEAD"); \
	t = threading.Thread(target=lambda: ok.append(u.urlopen(ask, timeout=5)), daemon=True); \
	t.start(); t.join(5); sys.exit(0 if ok else 1)' '$(TORCH_CPU_INDEX)' >/dev/null 2>&1
# Expanded by the recipe below, so the probe runs only when make is about to install (also under make -n):
# sets TORCH_ARGS (pip's options) and TORCH_NOTE (the line that says which torch build and why).
TORCH_ARGS :=
TORCH_NOTE :=
define choose_torch
$(if $(filter Linux,$(shell uname -s)),$(if $(shell $(TORCH_PROBE) && echo answered),\
$(eval TORCH_ARGS := --extra-index-url $(TORCH_CPU_INDEX))\
$(eval TORCH_NOTE := torch $(TORCH_PIN): the CPU-only build from $(TORCH_CPU_INDEX) (on Linux, PyPI's torch is the CUDA build)),\
$(eval TORCH_NOTE := torch $(TORCH_PIN) from pip's usual indexes (PyPI's Linux wheel is the CUDA build, about 2.7 GB): the CPU-only index $(TORCH_CPU_INDEX) did not serve torch within 5 s)))
endef

# A virtual environment with the project and pinned, known-good versions (torch pinned in constraints.txt).
$(STAMP): pyproject.toml constraints.txt
	$(choose_torch)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(if $(TORCH_NOTE),@echo "$(TORCH_NOTE)")
	$(BIN)/python -m pip install --quiet --disable-pip-version-check $(TORCH_ARGS) -c constraints.txt -e ".[course,test]"
	touch $@

setup: $(STAMP)

# Regenerate the student chapters from the master notebooks (nbgrader generate_assignment).
release: setup
	$(BIN)/paramact release

# Build the site, English into _build/html and Korean into _build/html/ko (every warning is an error),
# then prove that no solution reached either.
book: release
	$(BIN)/paramact book
	$(BIN)/paramact leaks _build/html

# After the English changed: regenerate the chapters, then merge their messages into locale/ko (new
# ones empty, changed ones fuzzy). Translate those, then `make release` writes the Korean notebooks.
translate: release
	$(BIN)/paramact translate update
	-$(BIN)/paramact translate stat

# The whole test suite: the library, the graders (masters full marks, stubs zero), chapters in sync,
# the book build with its leak check.
test: setup lint
	$(BIN)/python -m pytest -n 2 --durations=15

# The library's tier: no notebooks, grader jail, book, browser, package index or stored experiment redone
# (the `slow` marks of tests/conftest.py); under a minute.
test-fast: setup
	$(BIN)/python -m pytest -n 2 -m "not slow"

# ruff (lint and format) and mypy, configured in pyproject.toml.
lint: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

# Speed as ratios measured in one run (medians, min-max); writes results/bench/bench.json.
bench: setup
	$(BIN)/python -m benchmarks

clean:
	rm -rf _build $(VENV) .pytest_cache .hypothesis src/*.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
