# The two commands of the quick start. Each one prepares its own environment.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test serve lint format clean bench-service bench-engine bench bench-harvest bench-import

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q

# The service on http://127.0.0.1:8000 with the embedded store (var/store) and the example directory.
serve: $(STAMP)
	$(BIN)/ssevalidate serve --host 127.0.0.1 --port 8000 --store var/store

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) build dist .pytest_cache

# Load test of the validation API on 127.0.0.1; writes its table into BENCHMARKS.md.
bench-service: $(STAMP)
	$(BIN)/python benchmarks/service_load.py

# Our pyshacl engine against plain pySHACL on SHACL-SPARQL constraints; writes BENCHMARKS.md.
bench-engine: $(STAMP)
	$(BIN)/python benchmarks/engine_sparql.py

# Fast engine and pySHACL on generated directories of 1,000 to 100,000 organisations (add
# 1,000,000 with --sizes); data cached in var/bench/; writes BENCHMARKS.md.
bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

# Harvest throughput: generated sources of 1,000 to 100,000 records served on 127.0.0.1, into the
# embedded store and oxigraph serve, against rdflib + pySHACL (takes about an hour); writes
# BENCHMARKS.md.
bench-harvest: $(STAMP)
	$(BIN)/python benchmarks/harvest.py

# Converting 100,000 records as SEA CSV, GeoJSON, Murmurations and ESSGlobal Turtle, streamed
# against in memory (time, peak memory; about 10 minutes); writes BENCHMARKS.md.
bench-import: $(STAMP)
	$(BIN)/python benchmarks/import_memory.py
