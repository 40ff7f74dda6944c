# greenwall: `make run` serves the screens, `make test` runs the whole suite.
#
# Installs come from hash-pinned lock files (Python 3.11, Linux x86_64), written by `make lock`:
#   requirements/run.lock      what `make run` installs: the runtime dependencies only
#   requirements/test.lock     what `make test` installs: runtime + the test extra (selenium 4.2 from
#                              dash[testing] holds urllib3 at 1.26 here; run.lock has urllib3 2)
#   requirements/extract.lock  runtime + the extract extra (`make boundaries`)
# greenwall itself is then installed editable without dependencies, built by the locked setuptools.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
EXTRACT_STAMP := $(VENV)/.installed-extract
INSTALL_LOCK := $(BIN)/pip install --quiet --require-hashes -r
INSTALL_SELF := $(BIN)/pip install --quiet --no-deps --no-build-isolation -e .

# `make lock` tools, in a throwaway venv: uv resolves, pip-audit checks the result.
UV_VERSION := 0.13.9
PIP_AUDIT_VERSION := 2.10.1
LOCK_FLAGS := --quiet --generate-hashes --python-version 3.11 --python-platform x86_64-manylinux_2_28 \
	--custom-compile-command "make lock" $(LOCK_ARGS)

.PHONY: run test lint bench boundaries lock audit clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Each install replaces the other's stamp: the lock files differ (urllib3), so switching reinstalls.
$(RUN_STAMP): requirements/run.lock pyproject.toml | $(BIN)/python
	$(INSTALL_LOCK) requirements/run.lock
	$(INSTALL_SELF)
	rm -f $(TEST_STAMP) $(EXTRACT_STAMP)
	touch $@

$(TEST_STAMP): requirements/test.lock pyproject.toml | $(BIN)/python
	$(INSTALL_LOCK) requirements/test.lock
	$(INSTALL_SELF)
	rm -f $(RUN_STAMP) $(EXTRACT_STAMP)
	touch $@

$(EXTRACT_STAMP): requirements/extract.lock pyproject.toml | $(BIN)/python
	$(INSTALL_LOCK) requirements/extract.lock
	$(INSTALL_SELF)
	rm -f $(RUN_STAMP) $(TEST_STAMP)
	touch $@

# A venv that has the test install (a superset of the runtime) serves `make run` as it is; a fresh
# clone gets the runtime lock only.
run: $(if $(wildcard $(TEST_STAMP)),$(TEST_STAMP),$(RUN_STAMP))
	$(BIN)/greenwall run

test: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

bench: $(TEST_STAMP)
	$(BIN)/python bench/run.py

boundaries: $(EXTRACT_STAMP)
	$(BIN)/python scripts/extract_boundaries.py

# Re-resolve the lock files from pyproject.toml, keeping the pinned versions where they still fit.
# `make lock LOCK_ARGS=--upgrade` takes the newest of everything, `LOCK_ARGS="--upgrade-package X"` of X.
lock:
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(PYTHON) -m venv "$$tmp" && "$$tmp/bin/pip" install --quiet uv==$(UV_VERSION) && \
	"$$tmp/bin/uv" pip compile pyproject.toml --extra test $(LOCK_FLAGS) -o requirements/test.lock && \
	"$$tmp/bin/uv" pip compile pyproject.toml $(LOCK_FLAGS) -o requirements/run.lock && \
	"$$tmp/bin/uv" pip compile pyproject.toml --extra extract -c requirements/run.lock $(LOCK_FLAGS) \
		-o requirements/extract.lock

# Known advisories for every locked version, from the package index's vulnerability data. It needs
# the index's per-release JSON; a mirror without it makes every package "not found" (and fails).
audit:
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(PYTHON) -m venv "$$tmp" && "$$tmp/bin/pip" install --quiet pip-audit==$(PIP_AUDIT_VERSION) && \
	for lock in requirements/run.lock requirements/test.lock requirements/extract.lock; do \
		echo "== $$lock"; \
		"$$tmp/bin/pip-audit" --strict --vulnerability-service pypi --disable-pip --require-hashes \
			-r $$lock || exit 1; \
	done

clean:
	rm -rf $(VENV) var .pytest_cache
