# Two commands for a newcomer: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
NOTEBOOKS := img-classification-part1-training.ipynb img-classification-part2-deploy.ipynb \
             img-classification-part3-batch-score.ipynb

.PHONY: run test types venv clean benchmark

# uv installs the project several times faster than pip; it is bootstrapped into the
# venv with pip, so a fresh clone needs only Python 3.11, make and the package index.
# --compile-bytecode writes the .pyc files at install, as pip does: every kernel, job supervisor
# and test process then starts without compiling the SDK's modules (where PYTHONDONTWRITEBYTECODE
# is set, Python would otherwise compile them again in each process).
$(BIN)/.installed: pyproject.toml kernelspec/kernel.json $(shell find azureml_emulator -name "*.py")
	@echo "Creating $(VENV) and installing the project with uv (about a minute the first time)..."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv
	rm -rf build   # setuptools would reuse stale copies of moved modules
	$(BIN)/uv pip install --compile-bytecode --python $(BIN)/python ".[tutorial,test]"
	touch $@

venv: $(BIN)/.installed

# Runs part 1 (training), part 2 (deploy) and part 3 (batch scoring) end to end on the offline emulator, in one
# workspace, and writes the executed copies to executed/ (conf.png and samples.png beside them).
run: venv
	$(BIN)/python -m azureml_emulator.tools.run_notebook $(NOTEBOOKS) --output-dir executed

# Azurite (Microsoft's storage emulator, from npm) is the reference the Blob Storage tests
# compare the emulator with; without npm those tests are skipped and say so.
AZURITE := tests/azure_storage/azurite/node_modules/.installed
$(AZURITE): tests/azure_storage/azurite/package-lock.json
	@if command -v npm >/dev/null; then npm ci --prefix tests/azure_storage/azurite --no-audit --no-fund --loglevel=error \
	&& touch $@; else echo "npm not found: the tests that compare Blob Storage with Azurite will be skipped"; fi

# mypy checks the emulator's annotations, with the settings in pyproject.toml ([tool.mypy]);
# `make test` runs it first (15-50 s from a fresh clone, a second or two after: its cache is in .venv).
types: venv
	$(BIN)/python -m mypy

# The suite runs in TEST_WORKERS processes (pytest-xdist): most of a test's time is spent waiting
# on jobs, builds and services, so more processes than cores pay; tests that share a kernel or a
# home run in one process (tests/conftest.py, serial_group). `make test TEST_WORKERS=0` runs it in one.
TEST_WORKERS ?= 4
test: venv $(AZURITE) types
	$(BIN)/python -m pytest tests --nbval $(NOTEBOOKS) --nbval-kernel-name azureml-emulator --nbval-sanitize-with nbval_sanitize.cfg -n $(TEST_WORKERS)

benchmark: venv
	$(BIN)/python benchmarks/bench_scoring.py

clean:
	rm -rf $(VENV) executed build *.egg-info tests/azure_storage/azurite/node_modules
