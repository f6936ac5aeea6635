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

.PHONY: install demo test train-attribution bench bench-extract bench-lgl bench-poll bench-novelty bench-footprint bench-throughput bench-pipeline validate build size clean

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

# The learned attribution tagger (train/attribution/): converts PolNeAR train/dev into the gitignored
# train/attribution/corpus/, trains on CPU with the committed config and seed, picks the
# combination with the rules on dev and writes src/claimwatch/extract/data/attribution_{tagger.npz,manifest.json}.
# PyTorch is for training only: install, test and the Lambda layers never need it.
TORCH := torch==2.13.0
train-attribution: install
	$(BIN)/python -m pip install -q $(TORCH)
	@start=$$(date +%s); \
	$(BIN)/python train/attribution/prepare.py && $(BIN)/python train/attribution/train.py && \
	echo "train-attribution: wall time $$(( $$(date +%s) - start ))s (conversion, training, dev evaluation)"

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

bench: bench-throughput bench-extract bench-lgl bench-poll bench-novelty bench-pipeline bench-footprint
	$(BIN)/python bench/collect.py

# aws-sam-cli lives in its own virtualenv: its click pin conflicts with spaCy's.
$(SAM):
	test -x $(SAM_VENV)/bin/python || $(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install -q aws-sam-cli

validate: $(SAM)
	$(SAM_ENV) $(SAM) validate --lint

# Layers and functions for the Lambda runtime (python3.12, x86_64), without Docker.
build: install $(SAM)
	$(SAM_ENV) $(SAM) build

size: install
	$(BIN)/python scripts/deploy_size.py

clean:
	rm -rf $(VENV) $(SAM_VENV) .aws-sam $(GAZETTEER) bench/out
