# make run    - serve the xblock-sdk workbench on http://127.0.0.1:8000 (state under var/)
# make test   - the whole test suite (unit, integration, browser on Debian's chromium)
# make bench  - bench/run.py (ours beside branching-xblock) in its own venv; writes bench/RESULTS.md
# make lint   - ruff
# make messages - extract interface strings, update translations/*/LC_MESSAGES/text.po, compile .mo
#
# PYTHON selects the interpreter, e.g. make test PYTHON="env PYENV_VERSION=3.12.1 python3.12".
# Each Python version gets its own venvs (.venv-test-3.11, .venv-test-3.12, ...); a venv is
# (re)installed only when setup.py is newer than its stamp file. The Tutor plugin's tests run the
# real tutor of each supported release from its own venv (.venv-tutor21-3.11, ...), made the same way.

PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PY_VERSION := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
ifeq ($(PY_VERSION),)
$(error PYTHON="$(PYTHON)" does not run)
endif
DEFAULT_PY_VERSION := $(shell python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)

# `make run` keeps the README's .venv for the machine's default python3; others get a suffix.
RUN_VENV := .venv$(if $(filter $(PY_VERSION),$(DEFAULT_PY_VERSION)),,-$(PY_VERSION))
TEST_VENV := .venv-test-$(PY_VERSION)
# The benchmark installs the peer block (bench/requirements.txt) into its own venv: in the test
# venv, the peer's entry point would break every workbench page (see bench/RESULTS.md).
BENCH_VENV := .venv-bench-$(PY_VERSION)

CHROMIUM := /usr/bin/chromium

export PIP_DISABLE_PIP_VERSION_CHECK := 1
# pip -q still warns about every project missing from this machine's local extra indexes:
# noise, not errors. Everything else pip says on stderr (errors above all) still shows.
PIP_FILTER := { grep -v -e "is ignored: it is neither a file nor a directory" >&2 || true; }

.PHONY: help run test bench lint messages chromium venv-run venv-test venv-bench venv-tutor clean

help:
	@sed -n '1,5p' Makefile | sed 's/^# //'

# ---- environments -------------------------------------------------------------------------

%/bin/python:
	@echo "==> creating $* with $(PYTHON) (Python $(PY_VERSION))"
	$(PYTHON) -m venv $*

$(RUN_VENV)/.installed: setup.py | $(RUN_VENV)/bin/python
	@echo "==> installing -e .[workbench] into $(RUN_VENV)"
	$(RUN_VENV)/bin/python -m pip install -q -e '.[workbench]' 2>&1 | $(PIP_FILTER)
	@touch $@

$(TEST_VENV)/.installed: setup.py | $(TEST_VENV)/bin/python
	@echo "==> installing -e .[test] into $(TEST_VENV)"
	$(TEST_VENV)/bin/python -m pip install -q -e '.[test]' 2>&1 | $(PIP_FILTER)
	@touch $@

$(BENCH_VENV)/.installed: setup.py | $(BENCH_VENV)/bin/python
	@echo "==> installing -e .[test] into $(BENCH_VENV) (bench/run.py adds bench/requirements.txt)"
	$(BENCH_VENV)/bin/python -m pip install -q -e '.[test]' 2>&1 | $(PIP_FILTER)
	@touch $@

# Tutor 21 is Open edX Ulmo, 22 Verawood: the releases tutor-contrib-cultural-safety supports.
# Each venv holds the newest tutor of one release and the plugin (editable), reinstalled when the
# plugin's pyproject.toml is newer than the stamp; tests/test_tutor_plugin.py runs them, no Docker.
TUTOR_RELEASES := 21 22
TUTOR_PLUGIN := tutor-contrib-cultural-safety
TUTOR_VENVS := $(foreach release,$(TUTOR_RELEASES),.venv-tutor$(release)-$(PY_VERSION))
# reached through a pattern rule, the interpreter would count as intermediate: make would delete it
.SECONDARY: $(TUTOR_VENVS:%=%/bin/python)

.venv-tutor%-$(PY_VERSION)/.installed: $(TUTOR_PLUGIN)/pyproject.toml | .venv-tutor%-$(PY_VERSION)/bin/python
	@echo "==> installing tutor $*.* and -e $(TUTOR_PLUGIN) into $(@D)"
	$(@D)/bin/python -m pip install -q 'tutor==$*.*' -e ./$(TUTOR_PLUGIN) 2>&1 | $(PIP_FILTER)
	@touch $@

venv-run: $(RUN_VENV)/.installed
venv-test: $(TEST_VENV)/.installed
venv-bench: $(BENCH_VENV)/.installed
venv-tutor: $(TUTOR_VENVS:%=%/.installed)

# Debian's chromium for Playwright (never a browser download of Playwright's own).
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  echo "==> installing Debian's chromium (apt-get)"; \
	  SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  log=$$(mktemp); \
	  if ! { $$SUDO apt-get update -qq && \
	         DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; } >"$$log" 2>&1; \
	  then cat "$$log" >&2; rm -f "$$log"; echo "chromium install failed" >&2; exit 1; fi; \
	  rm -f "$$log"; \
	fi
	@$(CHROMIUM) --version 2>/dev/null

# ---- targets ------------------------------------------------------------------------------

run: venv-run
	$(RUN_VENV)/bin/python -m cultural_safety_xblock.workbench --host $(HOST) --port $(PORT)

test: venv-test venv-tutor chromium
	$(TEST_VENV)/bin/python -m pytest $(PYTEST_ARGS)

bench: venv-bench chromium
	$(BENCH_VENV)/bin/python bench/run.py

lint: venv-test
	$(TEST_VENV)/bin/ruff check .

# Interface strings (Python, templates; the script's come from template data- attributes) go to
# translations/text.pot; each language's text.po is updated (new strings empty, changed ones
# fuzzy) and compiled to the text.mo that Open edX's i18n service loads.
CATALOGS := cultural_safety_xblock/translations
messages: venv-test
	$(TEST_VENV)/bin/pybabel -q extract -F babel.cfg -c Translators: --add-location=file --sort-by-file \
	  --project=cultural-safety-xblock --omit-header -o $(CATALOGS)/text.pot .
	$(TEST_VENV)/bin/pybabel -q update -D text -i $(CATALOGS)/text.pot -d $(CATALOGS) --ignore-obsolete
	$(TEST_VENV)/bin/pybabel compile -D text -d $(CATALOGS) --statistics

clean:
	rm -rf .venv .venv-* var artifacts .pytest_cache .hypothesis dist build *.egg-info
