# Everything a developer or CI runs. `make` alone lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PY_SOURCES := layers/passwordless/passwordless laptop docs/hooks
# Every function folder (each is type-checked on its own: their modules are all called `app`).
FUNCTIONS := $(sort $(notdir $(patsubst %/app.py,%,$(wildcard functions/*/app.py))))
# The Lambda runtime's Python: `make test` runs the suite on it too, where the machine has it.
# pyenv's build is preferred: its shim answers `command -v` even when that version is not selected.
LAMBDA_PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3.13) python3.13)
LAMBDA_VENV := .venv-lambda
# checkov pins its own boto3, botocore, ... (requirements-checkov.txt), so it gets a venv of its own.
CHECKOV_VENV := .venv-checkov
# SAM templates are CloudFormation to checkov (it reads AWS::Serverless::* and Globals itself);
# --skip-download keeps it offline (it would fetch guideline links from its vendor's API).
CHECKOV := $(CHECKOV_VENV)/bin/checkov --framework cloudformation --quiet --compact --skip-download
# Fails on every finding of any severity (high, medium or low) at any confidence; a reviewed exception
# is a `# nosec Bxxx` with its reason on the line. tests/template/test_static_checks.py proves these
# flags fail on a high, a medium and a low finding.
BANDIT := $(BIN)/bandit --quiet --severity-level low --confidence-level low --configfile pyproject.toml --recursive
STACK ?= default
FUNCTION ?=
EVENT ?=
PORT ?= 8765
CHROMIUM := /usr/bin/chromium
# The JavaScript clients tests/clients drives, and the Amplify app bundled from them (npm, below).
CLIENTS := tests/clients
CLIENTS_STAMP := $(CLIENTS)/node_modules/.installed
CLIENTS_BUNDLE := $(CLIENTS)/dist/amplify-app.js

.PHONY: help
help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-22s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# Each stage of `make test` appends its wall time here; the gate prints them when it ends.
STAGE_TIMES := .stage-times
# $(call timed,stage,command): run the command, note its wall time, keep its exit status;
# timed_inline is the same inside a longer shell command.
define timed_inline
{ start=$$EPOCHREALTIME; $(2); status=$$?; \
  awk -v stage="$(1)" -v a="$$start" -v b="$$EPOCHREALTIME" -v s="$$status" \
    'BEGIN { printf "%-30s %7.1f s%s\n", stage, b - a, (s == 0 ? "" : "  FAILED") }' >> $(STAGE_TIMES); \
  (exit $$status); }
endef
timed = @$(call timed_inline,$(1),$(2))
# Tests whose assertions compare wall times run on their own, once everything else is done: a test
# on the other core would move their figures.
# The screenshot test writes the documentation's pictures; `make docs` runs it, once.
PYTEST_PARALLEL := -n 2 -m "not timing and not screenshots"
PYTEST_TIMING := -p no:xdist -m timing

# The venvs are built by uv (pinned, itself installed by pip into .venv-tools): it installs the same
# pinned packages as pip, from a shared cache, in seconds rather than a minute per venv, and compiles
# their bytecode on every core (left to the first import, the test workers would each compile it).
TOOLS_VENV := .venv-tools
UV := $(TOOLS_VENV)/bin/uv
UV_VERSION := 0.13.8

$(UV):
	$(PYTHON) -m venv $(TOOLS_VENV)
	$(TOOLS_VENV)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# $(call venv,python,folder,requirements): a venv with the pinned packages. Lambda puts the layer on
# sys.path (/opt/python); a .pth file does the same here, and the repo root makes `python -m
# laptop.invoke` work.
define venv
$(UV) venv --quiet --clear --python $(1) $(2) && \
  $(UV) pip install --quiet --compile-bytecode --python $(2)/bin/python $(3) && \
  printf '%s\n' "$(CURDIR)/layers/passwordless" "$(CURDIR)" > "$$($(2)/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/passwordless-layer.pth" && \
  touch $(2)/.installed
endef
DEV_REQUIREMENTS := -r layers/passwordless/requirements.txt -r requirements-dev.txt

$(STAMP): requirements-dev.txt layers/passwordless/requirements.txt | $(UV)
	$(call timed,venv (3.11),$(call venv,$(PYTHON),$(VENV),$(DEV_REQUIREMENTS)))

$(LAMBDA_VENV)/.installed: requirements-dev.txt layers/passwordless/requirements.txt | $(UV)
	$(call timed,venv (3.13),$(call venv,$(LAMBDA_PYTHON),$(LAMBDA_VENV),$(DEV_REQUIREMENTS)))

$(CHECKOV_VENV)/.installed: requirements-checkov.txt | $(UV)
	$(call timed,venv (checkov),$(call venv,$(PYTHON),$(CHECKOV_VENV),-r requirements-checkov.txt))

# mkdocs-material and its pins (requirements-docs.txt) stay out of the suites' venvs.
DOCS_VENV := .venv-docs
# Material 9.7+ prints a banner about its successor on every build; the pinned version is deliberate.
MKDOCS := NO_MKDOCS_2_WARNING=1 $(DOCS_VENV)/bin/mkdocs
$(DOCS_VENV)/.installed: requirements-docs.txt | $(UV)
	$(call timed,venv (docs),$(call venv,$(PYTHON),$(DOCS_VENV),-r requirements-docs.txt))

.PHONY: demo
demo: $(STAMP) ## The whole sign-in on this machine: local Cognito endpoint, outbox, sign-in page (PORT=8765; EXISTING_POOL=1 attaches to a team's pool; SIGN_IN_MODE=password-and-email-code; KEY_STORE=kms; PASSKEYS=0 turns passkeys off)
	@$(BIN)/python -m laptop.demo --port $(PORT) $(if $(EXISTING_POOL),--existing-pool)

.PHONY: install
install: $(STAMP) ## Create .venv with the pinned packages (every other target does this itself)

.PHONY: test
test: ## The gate CI runs: ruff, mypy, bandit, cfn-lint, checkov, every test on 3.11 (and the code's on 3.13), the docs; stage times
	@# --keep-going: a stage that fails does not hide how the others fare.
	@rm -f $(STAGE_TIMES); start=$$EPOCHREALTIME; \
	$(MAKE) --no-print-directory -j 4 --keep-going --output-sync=target lint typecheck pytest pytest-lambda-python docs && \
	$(MAKE) --no-print-directory --output-sync=target pytest-timing; status=$$?; \
	echo; echo "make test: wall time per stage (stages in one step ran side by side)"; cat $(STAGE_TIMES); \
	awk -v a="$$start" -v b="$$EPOCHREALTIME" 'BEGIN { printf "%-30s %7.1f s\n", "total", b - a }'; \
	exit $$status

.PHONY: check
check: $(STAMP) ## The inner loop, in seconds: ruff, mypy, the unit and template tests
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MAKE) --no-print-directory typecheck
	$(BIN)/pytest -q -n 2 tests/unit tests/template

.PHONY: venvs
venvs: $(STAMP) $(CHECKOV_VENV)/.installed $(DOCS_VENV)/.installed $(CHROMIUM) lambda-venv ## Every venv make test uses (built side by side with -j)

# One make builds every venv (a recursive make would build .venv-tools a second time, at once).
HAVE_LAMBDA_PYTHON := $(shell $(LAMBDA_PYTHON) -c "" >/dev/null 2>&1 && echo yes)

.PHONY: lambda-venv
lambda-venv: $(if $(HAVE_LAMBDA_PYTHON),$(LAMBDA_VENV)/.installed) ## The Lambda runtime's venv (.venv-lambda), where LAMBDA_PYTHON is installed

.PHONY: lint
lint: $(STAMP) $(CHECKOV_VENV)/.installed ## ruff, bandit, cfn-lint and checkov (security) on template.yaml
	$(call timed,lint: ruff,$(BIN)/ruff check . && $(BIN)/ruff format --check .)
	$(call timed,lint: bandit,$(BANDIT) $(PY_SOURCES) functions)
	$(call timed,lint: cfn-lint,$(BIN)/cfn-lint template.yaml)
	@# Fails on any failed check; a check that does not apply is skipped in the resource's own
	@# Metadata with its reason (test_static_checks.py refuses a skip without one).
	$(call timed,lint: checkov,$(CHECKOV) -f template.yaml)

.PHONY: typecheck
typecheck: $(STAMP) ## mypy --strict on the layer, the laptop kit and each function
	@# Each function's module is called `app`, so they are checked one at a time.
	$(call timed,typecheck: mypy,$(BIN)/mypy $(PY_SOURCES) bench && \
	  for f in $(FUNCTIONS); do echo "mypy functions/$$f/app.py"; $(BIN)/mypy functions/$$f/app.py || exit 1; done)

.PHONY: pytest
pytest: $(STAMP) $(CHECKOV_VENV)/.installed $(DOCS_VENV)/.installed $(CHROMIUM) $(CLIENTS_BUNDLE) ## Run the tests (unit, integration, template, local stack, browser) on both cores
	$(call timed,pytest (3.11),$(BIN)/pytest -q $(PYTEST_PARALLEL))

.PHONY: pytest-timing
pytest-timing: $(STAMP) lambda-venv ## The tests that compare wall times, alone, on each Python
	$(call timed,pytest timing (3.11),$(BIN)/pytest -q $(PYTEST_TIMING))
	@if $(LAMBDA_PYTHON) -c "" >/dev/null 2>&1; then \
	  $(call timed_inline,pytest timing (3.13),$(LAMBDA_VENV)/bin/pytest -q $(PYTEST_TIMING)); \
	fi

# The browser tests drive Debian's Chromium (Playwright never downloads one). Installed here so that
# `make test` on a new machine needs nothing first; without root or apt, the message says what to run.
$(CHROMIUM):
	@command -v apt-get >/dev/null || { echo "browser tests need Chromium at $(CHROMIUM); install it with your package manager" >&2; exit 2; }
	@if [ "$$(id -u)" = 0 ]; then SUDO=; elif sudo -n true 2>/dev/null; then SUDO=sudo; \
	else echo "browser tests need Chromium: run 'sudo apt-get install -y chromium', then make test again" >&2; exit 2; fi; \
	echo "installing Debian's chromium for the browser tests"; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null

# The JavaScript client libraries tests/clients drives against the local stack (Amplify v6 in the
# browser; the AWS SDK v3 and amazon-cognito-identity-js in Node), at package-lock.json's versions. No
# install script runs: esbuild's only checks its binary, which npm installs as a package of its own.
# Node and npm come from Debian when the machine has neither, as Chromium does.
$(CLIENTS_STAMP): $(CLIENTS)/package.json $(CLIENTS)/package-lock.json
	@command -v npm >/dev/null || { command -v apt-get >/dev/null && \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; elif sudo -n true 2>/dev/null; then SUDO=sudo; else false; fi && \
	  echo "installing Debian's nodejs and npm for the client library tests" && \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nodejs npm >/dev/null; } || \
	  { echo "client library tests need Node.js and npm: run 'sudo apt-get install -y nodejs npm', then make test again" >&2; exit 2; }
	$(call timed,clients: npm,npm ci --prefix $(CLIENTS) --no-audit --no-fund --ignore-scripts && touch $@)

$(CLIENTS_BUNDLE): $(CLIENTS)/amplify_app.js $(CLIENTS_STAMP)
	$(call timed,clients: bundle,$(CLIENTS)/node_modules/.bin/esbuild $< --bundle --format=iife --platform=browser --log-level=warning --outfile=$@)

.PHONY: clients
clients: $(CLIENTS_BUNDLE) ## Install the JavaScript clients the tests drive (npm ci) and bundle the Amplify app

.PHONY: pytest-lambda-python
# The template checks (SAM translation, cfn-lint, checkov, the docs build) run no code of the
# functions, so they run once, on 3.11; everything the functions run runs on both.
PYTEST_LAMBDA := $(PYTEST_PARALLEL) --ignore=tests/template --ignore=tests/integration/test_docs_build.py
pytest-lambda-python: lambda-venv $(CHROMIUM) $(CLIENTS_BUNDLE) ## The tests again on the Lambda runtime's Python (LAMBDA_PYTHON, default python3.13), template checks aside
	@if $(LAMBDA_PYTHON) -c "" >/dev/null 2>&1; then \
	  $(call timed_inline,pytest (3.13),$(LAMBDA_VENV)/bin/pytest -q $(PYTEST_LAMBDA)); \
	else \
	  echo "SKIPPED: $(LAMBDA_PYTHON) (the Lambda runtime's Python) is not installed; set LAMBDA_PYTHON to another"; \
	fi

# The screenshots are build output (docs/screens/, not committed): each build takes them afresh from
# the local stack, so the pictures show the page and the email as they are.
.PHONY: screenshots
screenshots: $(STAMP) $(CHROMIUM)
	$(call timed,docs: screenshots,$(BIN)/pytest -q -p no:xdist -m screenshots tests/local_stack/test_screenshots.py)

MKDOCS_CONFIG ?= mkdocs.yml
.PHONY: docs
docs: $(DOCS_VENV)/.installed screenshots ## Build the documentation site into site/ (strict: a broken link fails)
	$(call timed,docs: mkdocs,$(MKDOCS) build --strict --config-file $(MKDOCS_CONFIG))

.PHONY: docs-serve
docs-serve: $(DOCS_VENV)/.installed screenshots ## Serve the documentation site on http://127.0.0.1:8000/, rebuilt on each edit
	$(MKDOCS) serve --dev-addr 127.0.0.1:8000

SOAK_SIGN_INS ?= 1000
SOAK_THREADS ?= 16
SOAK_REPLAYS ?= 20
.PHONY: soak
soak: $(STAMP) ## Many concurrent sign-ins on the local stack (SOAK_SIGN_INS=1000 SOAK_THREADS=16): 0 lost, 0 double-used
	$(BIN)/python -m laptop.soak --sign-ins $(SOAK_SIGN_INS) --threads $(SOAK_THREADS) --replays $(SOAK_REPLAYS)

.PHONY: format
format: $(STAMP) ## Rewrite the code in the house style
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# On the Lambda runtime's Python where the machine has it: cold starts differ between versions (on
# 3.11, Powertools' Logger alone loads urllib.parse and typing_extensions' backports, which 3.13 skips).
.PHONY: bench
bench: $(STAMP) ## Measure cold init, warm CPU, memory, requests per sign-in, sign-ins/s (bench/results.json)
	@if $(LAMBDA_PYTHON) -c "" >/dev/null 2>&1; then \
	  $(MAKE) --no-print-directory $(LAMBDA_VENV)/.installed && $(LAMBDA_VENV)/bin/python -m bench; \
	else \
	  echo "NOTE: $(LAMBDA_PYTHON) (the Lambda runtime's Python) is not installed; measuring on $(PYTHON)"; \
	  $(BIN)/python -m bench; \
	fi

.PHONY: invoke
invoke: $(STAMP) ## Run a handler in-process: make invoke FUNCTION=define_auth_challenge EVENT=events/x.json
	@# With FUNCTION or EVENT missing, laptop.invoke prints the usage and the functions it runs.
	@$(BIN)/python -m laptop.invoke $(FUNCTION) $(EVENT)

.PHONY: invite
invite: $(STAMP) ## Invite a user to the running demo (PORT=8765), no password: make invite EMAIL=jane@example.com [NAME="Jane Doe"]
	@test -n "$(EMAIL)" || { echo 'usage: make invite EMAIL=<address> [NAME="<name>"] (with make demo running)' >&2; exit 2; }
	@$(BIN)/python -m laptop.invite "$(EMAIL)" $(if $(NAME),--name "$(NAME)") --endpoint "$(or $(ENDPOINT),http://127.0.0.1:$(PORT)/)"

.PHONY: invoke-all
invoke-all: $(STAMP) ## Run every file in events/ through its handler
	@$(BIN)/python -m laptop.invoke --all events

.PHONY: sam-invoke
sam-invoke: ## The same through `sam local invoke` (needs the SAM CLI and a Docker engine)
	@command -v sam >/dev/null || { echo "sam-invoke needs the AWS SAM CLI; 'make invoke' needs neither SAM nor Docker" >&2; exit 2; }
	@docker info >/dev/null 2>&1 || { echo "sam-invoke needs a running Docker engine; use 'make invoke' instead" >&2; exit 2; }
	sam build && sam local invoke $$($(BIN)/python -m laptop.invoke --logical-id $(FUNCTION)) -e $(EVENT) --env-vars laptop/sam-env.json

.PHONY: build
build: ## sam build (the layer and the functions)
	sam build --config-env $(STACK)

.PHONY: deploy
deploy: build ## sam deploy to the samconfig.toml environment STACK (default|dev|prod)
	sam deploy --config-env $(STACK)

# $(call pin,target,requirements files to resolve,lock file): resolve in a throwaway venv, freeze.
define pin
rm -rf /tmp/$(1)-venv && $(PYTHON) -m venv /tmp/$(1)-venv
/tmp/$(1)-venv/bin/pip install --quiet $(foreach f,$(2),-r $(f))
( echo "# Generated from $(subst $(space), and ,$(2)) by 'make $(1)'. Do not edit."; \
  /tmp/$(1)-venv/bin/pip freeze --exclude pip --exclude setuptools ) > $(3)
endef
space := $(subst ,, )

.PHONY: lock
lock: ## Re-pin requirements-dev.txt from requirements-dev.in
	$(call pin,lock,requirements-dev.in layers/passwordless/requirements.txt,requirements-dev.txt)

.PHONY: lock-checkov
lock-checkov: ## Re-pin requirements-checkov.txt from requirements-checkov.in
	$(call pin,lock-checkov,requirements-checkov.in,requirements-checkov.txt)

.PHONY: lock-docs
lock-docs: ## Re-pin requirements-docs.txt from requirements-docs.in
	$(call pin,lock-docs,requirements-docs.in,requirements-docs.txt)

.PHONY: clean
clean: ## Remove the venvs, caches and build output
	rm -rf $(VENV) $(LAMBDA_VENV) $(CHECKOV_VENV) $(DOCS_VENV) $(TOOLS_VENV) site docs/screens .aws-sam .mypy_cache .ruff_cache .pytest_cache .hypothesis \
	  $(CLIENTS)/node_modules $(CLIENTS)/dist
