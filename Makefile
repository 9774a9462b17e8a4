# The two commands of the README's quick start, and what they stand on.
#   make conformance  - set up, run the conformance suites on the embedded local stack -> reports/latest/
#   make test         - set up, run the project's own tests and the suites (what .ci/run calls)
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum requirements.txt | cut -c1-12)

.PHONY: setup conformance test lint clean

setup: $(STAMP)

$(STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required, found " + sys.version.split()[0])'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	rm -f $(VENV)/.installed-* && touch $@

conformance: setup
	$(PY) -m pytest suites $(ARGS)

test: setup
	$(PY) -m ruff check .
	$(PY) -m pytest tests suites $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
