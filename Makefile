# Two commands do all the set-up on a fresh machine:
#   make lab   - install everything, install the beamlab kernel, open JupyterLab on the tutorials
#   make test  - install everything (system packages too, when run as root) and run the test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# JupyterLab refuses to run as root without --allow-root (containers, CI machines)
ROOT_ARGS := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: lab test venv sysdeps bench clean soak

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

venv: $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev]'

sysdeps:
	bash .ci/sysdeps

# `make lab` installs only what the lab needs (the lab extra), and only when pyproject.toml
# changed since the last time; the lab's own settings turn off JupyterLab's news toast.
LAB_STAMP := $(VENV)/.beamlab-lab-installed
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json

$(LAB_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[lab]'
	$(BIN)/python -m beamlab install --sys-prefix
	mkdir -p $(dir $(LAB_OVERRIDES))
	printf '%s\n' '{"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": false}}' > $(LAB_OVERRIDES)
	touch $@

lab: $(LAB_STAMP)
	bash .ci/sysdeps --lab
	$(BIN)/jupyter lab --notebook-dir=notebooks --LabApp.default_url=/lab/tree/00_welcome.ipynb $(ROOT_ARGS) $(LAB_ARGS)

# With runtime modules compiled (runtime/_accel.py's COMPILED: _process, recorder, _receive, _core) the suite runs
# twice, as CI runs it: on the compiled accelerator, which must then be in use
# (tests/test_accelerator.py fails if a module runs pure; EXPECT_ACCELERATED=0 where there
# is no C compiler), and on the pure-Python runtime it falls back to.
EXPECT_ACCELERATED ?= 1

test: sysdeps venv
	@status=0; \
	BEAMLAB_EXPECT_ACCELERATED=$(EXPECT_ACCELERATED) $(BIN)/python -m pytest $(PYTEST_ARGS) || status=1; \
	if [ -n "$$($(BIN)/python -c 'import beamlab.runtime as r; print(*r.accelerated())')" ]; then \
	  echo "== the test suite again, on the pure-Python runtime (BEAMLAB_PURE_PYTHON=1)"; \
	  BEAMLAB_PURE_PYTHON=1 $(BIN)/python -m pytest $(PYTEST_ARGS) || status=1; \
	fi; \
	exit $$status

bench: venv
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

# about 10 minutes: 100k GenServers under 100 supervisors with chaos (benchmarks/soak.py);
# SOAK_SECONDS=60 make soak for a shorter one, SOAK_ARGS='--gc_policy 0' to compare
soak: venv
	$(BIN)/python -m benchmarks.soak $(SOAK_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info runtime/_cy_*.so runtime/_accel_build.json runtime/otp/_cy_*.so runtime/otp/_accel_build.json
