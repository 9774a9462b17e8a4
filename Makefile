# The two commands of the README's quick start, and what they stand on.
#   make conformance  - set up, run the conformance suites on the embedded local stack -> reports/latest/
#   make test         - set up, run the project's own tests and the suites (what .ci/run calls)
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum requirements.txt | cut -c1-12)
NODE_STAMP := node_modules/.installed-$(shell sha1sum package-lock.json | cut -c1-12)
WHEELHOUSE := $(VENV)/wheelhouse-84.2.1
CHROMIUM := /usr/bin/chromium

.PHONY: setup paperless-ai paperless-ngx conformance test lint clean litellm-matrix

# Python deps in .venv (uv, pinned in requirements.txt, installs them: ~13 s from a cold cache where
# pip took ~2 min); Allure 3 and playwright-core from package-lock.json (the machine's Node.js,
# no Java); the real Paperless-AI 3.0.9 and Paperless-ngx 2.18.4 from their release trees, verified
# and cached outside the repository (~3 min the first time: npm compiles Paperless-AI's SQLite
# modules; Paperless-ngx: uv sync + migrate ~35 s, and Debian's redis-server, poppler-utils,
# ghostscript, fonts-liberation when missing; a no-op after).
# The own tests also need Debian's chromium (the report's render check): installed when missing.
setup: $(STAMP) $(NODE_STAMP) $(WHEELHOUSE) paperless-ai paperless-ngx

# What pre-commit's own environment for the lint hook installs (its build backend and PyYAML), kept
# as wheels so the hook's test installs it inside ./isolated, with no index (PIP_FIND_LINKS).
$(WHEELHOUSE): $(STAMP)
	rm -rf $(VENV)/wheelhouse-*
	$(PY) -m pip download --quiet --disable-pip-version-check --only-binary=:all: -d $@ \
		setuptools==84.2.1 wheel==0.48.0 PyYAML==6.0.4

paperless-ai: $(STAMP)
	$(PY) -m fixtures.paperless_ai.install

paperless-ngx: $(STAMP)
	$(PY) -m fixtures.paperless_ngx.install

$(STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required, found " + sys.version.split()[0])'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check $$(grep '^uv==' requirements.txt)
	$(PY) -m uv pip install --quiet --python $(PY) -r requirements.txt
	rm -f $(VENV)/.installed-* && touch $@

$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm (Node.js) is required for the HTML reports"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	rm -f node_modules/.installed-* && touch $@

$(CHROMIUM):
	@[ "$$(id -u)" = 0 ] || { echo "installing chromium needs root: apt-get install chromium"; exit 1; }
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium

# The static checks `make test` runs first; on their own, they need only the venv (no stack, seconds).
lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy

# Both run pytest in a network namespace with only loopback (./isolated), where the machine allows it.
conformance: setup
	./isolated $(PY) -m pytest suites $(ARGS)

# lint as a prerequisite: make runs it before the recipe, so a lint error stops the run before pytest.
test: setup $(CHROMIUM) lint
	./isolated $(PY) -m pytest tests suites --resilience-profile full $(ARGS)

# The LiteLLM upgrade gate: the gateway suites against each release in VERSIONS (installed in its own
# cached environment; a release that does not install is a row saying why). Table in reports/.
VERSIONS ?= 1.80.17 1.100.5 1.108.7
litellm-matrix: setup
	$(PY) -m fixtures.litellm.upgrade_gate.matrix $(VERSIONS)

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache .mypy_cache
