# Two commands on a fresh machine:  make run  and  make test.
# Both create .venv when it is missing and install aezoo into it.

# Chainer 7.8.1 works on Python 3.9-3.11 only: take the newest of those found.
PYTHON ?= $(shell for p in python3.11 python3.10 python3.9 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(not (3, 9) <= sys.version_info[:2] <= (3, 11))' \
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

.PHONY: run test bench install clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints/build.txt
	@test -n "$(PYTHON)" || { echo "aezoo needs Python 3.9, 3.10 or 3.11 (Chainer 7.8.1 does not import on 3.12+)"; exit 2; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --no-cache-dir -e '.[test,mpi]'
	touch $@

run: $(STAMP)
	$(BIN)/python -m aezoo.run $(MAIN_JOB)

test: $(STAMP)
	$(BIN)/python -m pytest

# Speed against PyTorch (installed into .venv when missing, the CPU wheel): README "Speed".
bench: $(STAMP)
	$(BIN)/python -c 'import torch' 2>/dev/null || $(BIN)/python -m pip install --no-cache-dir \
		-e '.[bench]' --extra-index-url https://download.pytorch.org/whl/cpu
	$(BIN)/python -m aezoo.bench

clean:
	rm -rf $(VENV) *.egg-info
