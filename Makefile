# Every target creates .venv when it is missing and installs the project into it.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench lint setup system-deps js-deps clean train train-stage compare-models

$(STAMP): pyproject.toml constraints.txt setup.py $(shell find src -name "*.c")
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	$(BIN)/python -m compileall -q src
	touch $(STAMP)

setup: $(STAMP)

system-deps:
	bash scripts/system-deps.sh

# axe-core for the accessibility browser tests (test-only; pinned in package.json + package-lock.json)
AXE := node_modules/axe-core/axe.min.js
$(AXE): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $(AXE)

js-deps: system-deps $(AXE)

# one worker process per CPU unless WORKERS=N is given (nakanaori serve's default; WEB_CONCURRENCY too)
run: $(STAMP)
	$(BIN)/nakanaori serve $(if $(WORKERS),--workers $(WORKERS))

test: $(STAMP) js-deps
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# compileall first: an editable install has no bytecode of its own, and with PYTHONDONTWRITEBYTECODE
# every CLI run would compile the package again (~0.1 s); an installed wheel always has it
bench: $(STAMP) system-deps
	$(BIN)/python -m compileall -q src
	test ! -f benchmarks/check_bench.py || $(BIN)/python benchmarks/check_bench.py
	$(BIN)/python benchmarks/http_bench.py
	$(BIN)/python benchmarks/http_inprocess.py
	$(BIN)/python benchmarks/cli_bench.py

# rebuild the learned model from corpus/ (seeded, CPU, a few minutes; writes src/nakanaori/check/learned/artefact)
train: $(STAMP)
	$(BIN)/python -m nakanaori.check.learned.train

# rebuild advise's learned stage reader from the train situation sets (seeded, CPU, ~4 min; docs/model.md)
train-stage: $(STAMP)
	$(BIN)/python -m nakanaori.advise.stage_train

# the model families side by side on the dev split (docs/model.md)
compare-models: $(STAMP)
	$(BIN)/python -m nakanaori.check.learned.compare

clean:
	rm -rf $(VENV) .pytest_cache
