# claimwatch — every target installs what it needs first, so a fresh clone needs only python3 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
GAZETTEER := src/claimwatch/resolve/data/gazetteer.sqlite

.PHONY: install demo test bench bench-extract bench-lgl bench-poll bench-novelty bench-footprint bench-throughput bench-pipeline lint validate clean

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

bench-extract: install
	$(BIN)/python bench/extract_polnear.py
bench-lgl: install
	$(BIN)/python bench/lgl_resolution.py
bench-poll: install
	$(BIN)/python bench/poll.py
bench-novelty: install
	$(BIN)/python bench/novelty.py
bench-footprint: install
	$(BIN)/python bench/footprint.py
bench-throughput: install
	$(BIN)/python bench/throughput.py
bench-pipeline: install
	$(BIN)/python bench/pipeline.py

bench: bench-throughput bench-extract bench-lgl bench-poll bench-novelty bench-pipeline bench-footprint
	$(BIN)/python bench/collect.py

clean:
	rm -rf $(VENV) .aws-sam $(GAZETTEER) bench/out
