# claimwatch — every target installs what it needs first, so a fresh clone needs only python3 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
GAZETTEER := src/claimwatch/resolve/data/gazetteer.sqlite
SAM_VENV := .venv-sam
SAM := $(SAM_VENV)/bin/sam
# No telemetry (sam would post usage data); a region for the template's pseudo parameters.
SAM_ENV := SAM_CLI_TELEMETRY=0 AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-us-east-1}

.PHONY: install lock checkov demo lint lint-style lint-types test test-browser vendor-map train-attribution bench bench-extract bench-lgl bench-poll bench-novelty bench-footprint bench-throughput bench-pipeline bench-longtext validate build size clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $(STAMP)

$(GAZETTEER): $(STAMP) src/claimwatch/resolve/build.py src/claimwatch/resolve/normalize.py seeds/places.yaml seeds/actors.yaml
	$(BIN)/python -m claimwatch.resolve.build --out $(GAZETTEER)

install: $(STAMP) $(GAZETTEER)

demo: install
	$(BIN)/claimwatch demo

test: install
	$(BIN)/python -m pytest -q

# The lint gate (.ci/run and .pre-commit-config.yaml run the same): ruff's rules and formatting
# over the tree, mypy over src/ and each function. Every functions/*/app.py is a module named
# `app`, so each function directory is checked on its own.
lint: lint-style lint-types
lint-style: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
lint-types: $(STAMP)
	$(BIN)/mypy
	for fn in functions/*/app.py; do $(BIN)/mypy "$$fn" || exit 1; done

# The browser test: Debian's Chromium driven by Playwright (the browser is never downloaded: no
# `playwright install`). `make test` runs it too where both are present, and skips it elsewhere.
# SCREENSHOT=docs/page.png saves the page with the demo data.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
test-browser: install
	test -x /usr/bin/chromium || { $(SUDO) apt-get update && $(SUDO) apt-get install -y chromium; }
	$(BIN)/python -c "import playwright" 2>/dev/null || $(BIN)/python -m pip install -q playwright
	CLAIMWATCH_CHROMIUM=/usr/bin/chromium CLAIMWATCH_SCREENSHOT=$(SCREENSHOT) $(BIN)/python -m pytest -q -rs -m browser tests/e2e

# The page's country outlines: Natural Earth 1:110m from the world-atlas npm package (ISC; the data
# is public domain). 108 KB, so the file is committed; only re-vendoring needs npm.
WORLD_ATLAS := world-atlas@2.0.2
MAP_STATIC := src/claimwatch/api/static
vendor-map:
	rm -rf .vendor-map && mkdir .vendor-map
	cd .vendor-map && npm pack --silent $(WORLD_ATLAS) >/dev/null
	tar -xzf .vendor-map/world-atlas-*.tgz -C .vendor-map package/countries-110m.json package/LICENSE
	cp .vendor-map/package/countries-110m.json $(MAP_STATIC)/countries-110m.json
	cp .vendor-map/package/LICENSE $(MAP_STATIC)/countries-110m.LICENSE
	rm -rf .vendor-map

# The learned attribution tagger (train/attribution/): converts PolNeAR train/dev into the gitignored
# train/attribution/corpus/, trains on CPU with the committed config and seed, picks the
# combination with the rules on dev and writes src/claimwatch/extract/data/attribution_{tagger.npz,manifest.json}.
# PyTorch is for training only: install, test and the Lambda layers never need it. The new weights
# must then keep the seed's claims, the golden articles and the manifest's dev figure (the tests).
TORCH := torch==2.13.0
train-attribution: install
	$(BIN)/python -m pip install -q $(TORCH)
	@start=$$(date +%s); \
	$(BIN)/python train/attribution/prepare.py && $(BIN)/python train/attribution/train.py && \
	echo "train-attribution: wall time $$(( $$(date +%s) - start ))s (conversion, training, dev evaluation)"
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/unit/extract/test_seed.py tests/unit/extract/test_golden.py tests/unit/extract/test_learned.py

# spaCy benchmarks run with one BLAS thread, as the extract function does (template.yaml).
SPACY_BENCH_ENV := OPENBLAS_NUM_THREADS=1

bench-extract: install
	$(SPACY_BENCH_ENV) $(BIN)/python bench/extract_polnear.py
bench-lgl: install
	$(SPACY_BENCH_ENV) $(BIN)/python bench/lgl_resolution.py
bench-poll: install
	$(BIN)/python bench/poll.py
bench-novelty: install
	$(BIN)/python bench/novelty.py
bench-footprint: install $(SAM)
	$(BIN)/python bench/footprint.py
bench-throughput: install
	$(SPACY_BENCH_ENV) $(BIN)/python bench/throughput.py
bench-pipeline: install
	$(SPACY_BENCH_ENV) $(BIN)/python bench/pipeline.py
bench-longtext: install
	$(SPACY_BENCH_ENV) $(BIN)/python bench/longtext.py

bench: bench-throughput bench-extract bench-lgl bench-poll bench-novelty bench-pipeline bench-longtext bench-footprint
	$(BIN)/python bench/collect.py

# aws-sam-cli lives in its own virtualenv: its click pin conflicts with spaCy's.
$(SAM):
	test -x $(SAM_VENV)/bin/python || $(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install -q aws-sam-cli

# The layers' lock file: pyproject.toml's runtime dependencies resolved for the Lambda runtime
# (Python 3.12, manylinux x86_64, wheels only, as layers/layer.mk installs them) with every
# distribution's hashes. `make build` installs exactly this; re-run after changing a dependency
# (kept pins are preferred; UPGRADE=1 takes the newest versions the ranges allow).
LOCK_VENV := .venv-lock
UV := $(LOCK_VENV)/bin/uv
LAYER_LOCK := layers/requirements.lock
$(UV):
	test -x $(LOCK_VENV)/bin/python || $(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install -q "uv>=0.5"

lock: $(UV)
	$(UV) pip compile pyproject.toml --python-version 3.12 --python-platform x86_64-manylinux_2_28 \
		--only-binary :all: --generate-hashes --no-strip-extras $(if $(UPGRADE),--upgrade) \
		--custom-compile-command "make lock" --output-file $(LAYER_LOCK)

# checkov in its own virtualenv (its pins conflict with the project's); skipped checks and why
# are in .checkov.yaml and the README. Not run by the tests.
CHECKOV_VENV := .venv-checkov
CHECKOV := $(CHECKOV_VENV)/bin/checkov
$(CHECKOV):
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install -q checkov

checkov: $(CHECKOV)
	$(CHECKOV) --config-file .checkov.yaml --file template.yaml

validate: $(SAM)
	$(SAM_ENV) $(SAM) validate --lint

# Layers and functions for the Lambda runtime (python3.12, x86_64), without Docker.
build: install $(SAM)
	$(SAM_ENV) $(SAM) build

size: install
	$(BIN)/python scripts/deploy_size.py

clean:
	rm -rf $(VENV) $(SAM_VENV) $(LOCK_VENV) $(CHECKOV_VENV) .aws-sam $(GAZETTEER) bench/out
