# Two commands on a fresh machine:  make run  and  make test  (make check: the fast tests;
# make docs: the manual as a site).
# Both create .venv when it is missing and install aezoo into it.

# Chainer 7.8.1 works on Python 3.10-3.11 only (3.9 is past its end of life): take the newest found.
PYTHON ?= $(shell for p in python3.11 python3.10 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 11))' \
	2>/dev/null && echo $$p && break; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

# Chainer's sdist build imports pkg_resources (gone in setuptools 70). pip < 26.2
# reads PIP_CONSTRAINT for build environments, pip >= 26.2 only PIP_BUILD_CONSTRAINT.
export PIP_CONSTRAINT := $(CURDIR)/constraints/build.txt
export PIP_BUILD_CONSTRAINT := $(CURDIR)/constraints/build.txt

# The main job: the growing deep autoencoder on the bundled digits; every
# `make run` makes a new run folder outputs/deep-<timestamp>-main.
MAIN_JOB := deep --grow-every 4 --data digits --epochs 40 --name main

.PHONY: run test check bench docs install browser clean cupy gpu-check tensorboard postgres search

install: $(STAMP)

$(STAMP): pyproject.toml constraints/build.txt
	@test -n "$(PYTHON)" || { echo "aezoo needs Python 3.10 or 3.11 (Chainer 7.8.1 does not import on 3.12+)"; exit 2; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --no-cache-dir -e '.[test,mpi,docs,ray,tensorboard,notebook,search,mlflow]'
	touch $@

run: $(STAMP)
	$(BIN)/aezoo run $(MAIN_JOB)

# The report's test opens report.html in headless Chromium: Debian's package, which
# needs root to install. Without it that one test is skipped and says why.
# $(call apt_install,PACKAGE,THE TEST): Debian's package when root (as CI is), else a note.
define apt_install
if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	echo "installing $(1) for $(2) (apt-get)"; \
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1) >/dev/null \
	|| { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1) >/dev/null; } \
	|| echo "$(1) could not be installed: $(2) will be skipped"; \
else \
	echo "no $(1), and installing it needs root (sudo apt-get install $(1)): $(2) will be skipped"; \
fi
endef

BROWSERS := chromium chromium-browser google-chrome
browser:
	@for b in $(BROWSERS); do command -v $$b >/dev/null 2>&1 && exit 0; done; \
	$(call apt_install,chromium,the report's browser test)

# The CuPy 13 audit (tests/unit/gpu/test_cupy_compat.py) needs CuPy itself, no GPU: the [gpu] extra's
# CuPy only, not its cuDNN wheel (700 MB). docs/gpu.md.
CUPY := cupy-cuda12x>=13.6,<14
cupy: $(STAMP)
	$(BIN)/python -c 'import cupy' 2>/dev/null || $(BIN)/python -m pip install --no-cache-dir '$(CUPY)'

# --tensorboard's tests read the event files back with TensorBoard itself (an older .venv lacks them).
tensorboard: $(STAMP)
	$(BIN)/python -c 'import tensorboardX, tensorboard' 2>/dev/null || $(BIN)/python -m pip install \
		--no-cache-dir -e '.[test,tensorboard]'

# The shared-study test (tests/e2e/test_search_postgres.py) starts a PostgreSQL server of its
# own: Debian's binaries, which need root to install. Without them that test is skipped.
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 && exit 0; \
	$(call apt_install,postgresql,the shared-study test)

# The search's tests need Optuna and the PostgreSQL driver (an older .venv lacks them).
search: $(STAMP)
	$(BIN)/python -c 'import optuna, psycopg, cmaes, optuna_dashboard' 2>/dev/null || $(BIN)/python -m pip install \
		--no-cache-dir -e '.[test,search]'

# The suite on every core, at most 4 (pytest-xdist). --dist loadfile keeps a test file on one
# worker: its module fixtures (a PostgreSQL server, trained runs) are made once.
# Files go out in the order collected, tests/e2e (the long ones) first, not by their number
# of tests. The Ray tests run after, alone: a Ray head gives its raylet 30 s to register (fixed
# in Ray 2.60), which a machine at load 8 did not leave it beside the other tests.
PARALLEL := -n auto --maxprocesses 4 --dist loadfile --no-loadscope-reorder
RAY_TESTS := tests/e2e/test_sweep_ray.py
test: $(STAMP) browser cupy tensorboard postgres search
	$(BIN)/python -m pytest $(PARALLEL) --ignore=$(RAY_TESTS)
	$(BIN)/python -m pytest $(RAY_TESTS)

# The fast tier (about a minute on 2 idle cores): tests/unit without the tests marked slow;
# no Chromium, no MPI, no long training. make test runs everything, as CI does.
check: $(STAMP)
	$(BIN)/python -m pytest tests/unit -m "not slow" $(PARALLEL)

# On a GPU machine: the GPU tier, then seconds per epoch CPU against GPU and the bench on GPU 0.
gpu-check: $(STAMP)
	$(BIN)/python -c 'import cupy, nvidia.cudnn' 2>/dev/null || $(BIN)/python -m pip install \
		--no-cache-dir -e '.[gpu]'
	AEZOO_GPU_SPEED=1 $(BIN)/python -m pytest -m gpu tests/gpu -rs -s -q
	$(BIN)/aezoo bench --device 0 --quick

# Speed against PyTorch (installed into .venv when missing, the CPU wheel): docs/speed.md.
bench: $(STAMP)
	$(BIN)/python -c 'import torch' 2>/dev/null || $(BIN)/python -m pip install --no-cache-dir \
		-e '.[bench]' --extra-index-url https://download.pytorch.org/whl/cpu
	$(BIN)/aezoo bench

# The manual as a site in site/ (mkdocs.yml); --strict fails on a broken link or a stale CLI
# reference. The docs extra is installed into .venv when missing (an older .venv).
docs: $(STAMP)
	$(BIN)/python -c 'import mkdocs, material, mkdocs_jupyter, pandas' 2>/dev/null || $(BIN)/python -m pip install \
		--no-cache-dir -e '.[docs]'
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs build --strict -d site

clean:
	rm -rf $(VENV) *.egg-info
