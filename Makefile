# Every target installs what it needs first (`install`), so each one works from a fresh clone.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
export PATH := $(CURDIR)/$(VENV)/bin:$(CURDIR)/node_modules/.bin:$(PATH)
export REDOCLY_TELEMETRY := off
export REDOCLY_SUPPRESS_UPDATE_NOTICE := true

GEN_PKG := generated_client/promptlayer_agents_api
GENERATE := openapi-python-client generate --path openapi.yaml --config generator-config.yaml \
	--custom-template-path templates \
	--meta none --fail-on-warning --overwrite

.PHONY: help install install-python install-node demo dist bench bench-quick mutation generate \
	check-generated check-upstream update-upstream lint-spec lint typecheck pytest test lock

help:
	@echo "make demo             run one agent end to end against the bundled sandbox"
	@echo "make bench            the benchmarks, full size (bench/README.md); bench-quick: a few minutes"
	@echo "make test             lint the spec, check generated code, ruff, mypy --strict, pytest"
	@echo "make mutation         mutation testing of the core against the unit tests (docs/testing.md)"
	@echo "make generate         regenerate $(GEN_PKG) from openapi.yaml"
	@echo "make check-generated  fail if $(GEN_PKG) differs from a fresh generation"
	@echo "make lint-spec        openapi-spec-validator and Redocly lint on openapi.yaml"
	@echo "make check-upstream   compare openapi.yaml with PromptLayer's published spec (upstream/)"
	@echo "make update-upstream FILE=...  replace that spec's snapshot, then compare"
	@echo "make dist             build the wheel and the sdist into dist/ (DIST=... elsewhere)"
	@echo "make install          create .venv and node_modules (fast when nothing changed)"
	@echo "                      install-python: .venv alone; install-node: node_modules alone"

# Node.js is needed by lint-spec (Redocly) and pytest (Prism) alone: demo, dist and the rest
# install Python only.
install: install-python install-node

install-python: $(VENV)/.installed

install-node: node_modules/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Refresh constraints.txt (every Python package's exact version) after changing pyproject.toml.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	{ echo "# Exact versions of every Python package for .venv; regenerate with make lock."; \
	  .lock-venv/bin/python -m pip freeze --exclude-editable; } > constraints.txt
	rm -rf .lock-venv

generate: install-python
	rm -rf $(GEN_PKG)
	$(GENERATE) --output-path $(GEN_PKG)

check-generated: install-python
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(GENERATE) --output-path "$$tmp/promptlayer_agents_api" > "$$tmp/log" 2>&1 || { cat "$$tmp/log"; exit 1; }; \
	if ! diff -ru -x __pycache__ $(GEN_PKG) "$$tmp/promptlayer_agents_api" > "$$tmp/diff"; then \
		echo "FAIL: $(GEN_PKG) differs from a fresh generation of openapi.yaml." >&2; \
		echo "Generated code is never edited by hand: change openapi.yaml or generator-config.yaml," >&2; \
		echo "run 'make generate' and commit the result. The difference (committed -> fresh):" >&2; \
		sed "s|$$tmp/|fresh/|g" "$$tmp/diff" >&2; \
		exit 1; \
	fi; \
	echo "$(GEN_PKG) matches a fresh generation of openapi.yaml"

# openapi.yaml against the vendored copy of PromptLayer's published spec: every difference must be
# listed with its reason in upstream/known-differences.yaml.
check-upstream: install-python
	python -m upstream.check

update-upstream: install-python
	@test -n "$(FILE)" || { echo "usage: make update-upstream FILE=path/to/openapi.json" >&2; exit 2; }
	python -m upstream.check --update "$(FILE)"

lint-spec: install-python install-node
	openapi-spec-validator openapi.yaml
	redocly lint --config redocly.yaml openapi.yaml

lint: install-python
	ruff check .
	ruff format --check .

typecheck: install-python
	mypy

# Two workers (pytest-xdist) where there are two cores: the suite spends about half its time waiting
# on servers and subprocesses, so it takes about 60% as long. `pytest` alone runs it in one process.
pytest: install-python install-node  # the Prism mock test runs node_modules/.bin/prism
	pytest -n auto --maxprocesses 2

test: lint-spec check-generated check-upstream lint typecheck pytest

demo: install-python
	python examples/demo.py

# The wheel and the sdist, built by the backend pinned in the dev extra (the same version as
# pyproject.toml's [build-system] requires), without network access.
DIST ?= dist
dist: install-python
	rm -rf "$(DIST)"
	python -m hatchling build -d "$(DIST)"

bench: install-python
	python -m bench.run

bench-quick: install-python
	python -m bench.run --quick

# Mutation testing (docs/testing.md): every mutant of the core modules ([tool.mutmut] in
# pyproject.toml) against the unit tests, two workers, from scratch; then the score per module and
# the survivors not listed in tests/mutation/equivalent.yaml. Fails under 95% in any module.
mutation: install-python
	rm -rf mutants
	mkdir mutants
	python tests/mutation/run.py run --max-children 2 > mutants/run.log 2>&1 || { tail -n 40 mutants/run.log; exit 1; }
	python -m tests.mutation.report
