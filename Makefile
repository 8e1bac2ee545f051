# The course's commands. `make book` and `make test` set everything up on a fresh machine (Python >= 3.10).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup release book test bench clean

# A virtual environment with the project and pinned, known-good versions (torch pinned in constraints.txt).
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[course,test]"
	touch $@

setup: $(STAMP)

# Regenerate the student chapters from the master notebooks (nbgrader generate_assignment).
release: setup
	$(BIN)/paramact release

# Build the site into _build/html (every warning is an error), then prove no solution reached it.
book: release
	$(BIN)/jupyter-book build . -W -n --keep-going
	$(BIN)/paramact leaks _build/html
	@echo "The site is at $(CURDIR)/_build/html/index.html"

# The whole test suite: the library, the graders (masters full marks, stubs zero), chapters in sync,
# the book build with its leak check.
test: setup
	$(BIN)/python -m pytest -n 2 --durations=15

# Speed as ratios measured in one run (medians, min-max); writes results/bench/bench.json.
bench: setup
	$(BIN)/python -m benchmarks

clean:
	rm -rf _build $(VENV) .pytest_cache .hypothesis src/*.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
