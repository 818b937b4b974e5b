# trust-callbacks: every command a developer, platform engineer or CI needs.
# `make test` is the one test command (CI runs exactly this through .ci/run).
SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c
TF := $(CURDIR)/scripts/terraform/terraform.sh
TF_DIR := infrastructure/terraform
TF_ROOT := $(TF_DIR)/root
# Every directory holding a main.tf under modules/ (modules/policies/* included), and the one root.
TF_MODULES := $(sort $(patsubst %/main.tf,%,$(wildcard $(TF_DIR)/modules/*/main.tf $(TF_DIR)/modules/*/*/main.tf)))
TF_ENVS := $(notdir $(wildcard $(TF_DIR)/environments/*))
ENV ?=
# One root, environments as data: each environment keeps its own .terraform directory (backend and providers).
TF_ENV = TF_DATA_DIR=.terraform-$(ENV) $(TF) -chdir=$(TF_ROOT)

.PHONY: help install browser local test lint typecheck unit build tf-init tf-fmt-check tf-validate tf-test tf-scale validate-trusts plan apply output fmt

help: ## List the targets
	@awk -F':.*## ' '/^[a-z-]+:.*## / { printf "  %-16s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

install: ## npm ci (clean install from the lockfile)
	npm ci --no-audit --no-fund

local: install ## Run the whole pipeline locally on the sample trusts (no AWS account)
	npm run --silent local

test: install browser lint typecheck unit build tf-fmt-check tf-validate tf-test tf-bootstrap tf-scale validate-trusts ## Every check and test
	@npx tsx scripts/build/test-totals.ts .build/vitest.json .build/tf-test.log

lint: ## ESLint over all TypeScript
	npx eslint --max-warnings 0 .

typecheck: ## tsc --noEmit over all workspaces
	npx tsc -p tsconfig.json

# The support console's browser tests drive Debian's chromium (playwright-core, executablePath): no browser download.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser: ## Install Debian's chromium for the browser tests, only when it is missing (apt-get; CI runs as root)
	@command -v chromium >/dev/null 2>&1 || { echo "installing chromium (apt-get)"; $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

unit: browser ## vitest (unit, property, integration and end-to-end tests; the console's in chromium)
	@mkdir -p .build
	npx vitest run --reporter=default --reporter=json --outputFile.json=.build/vitest.json

build: ## Bundle and zip every Lambda into .build/lambdas/
	npm run --silent lambda-build

fmt: ## Format Terraform files
	$(TF) fmt -recursive $(TF_DIR)

tf-init: ## terraform init every module and the root (providers from the local mirror, no backend)
	@for dir in $(TF_MODULES) $(TF_ROOT); do \
	  echo "terraform init $$dir"; $(TF) -chdir=$$dir init -backend=false -input=false -no-color >/dev/null; \
	done

tf-fmt-check: ## terraform fmt -check
	$(TF) fmt -check -recursive -diff $(TF_DIR)

tf-validate: tf-init ## terraform validate every module and the root
	@for dir in $(TF_MODULES) $(TF_ROOT); do \
	  echo "terraform validate $$dir"; $(TF) -chdir=$$dir validate -no-color; \
	done

tf-test: tf-init build ## terraform test (mock_provider "aws") in every module, the root, and the root once per environment's data
	@mkdir -p .build && : > .build/tf-test.log
	@for dir in $(TF_MODULES); do \
	  if [ -d $$dir/tests ]; then echo "terraform test $$dir"; $(TF) -chdir=$$dir test -no-color | tee -a .build/tf-test.log; fi; \
	done
	@echo "terraform test $(TF_ROOT) (fixtures)"; $(TF) -chdir=$(TF_ROOT) test -no-color -filter=tests/compose.tftest.hcl | tee -a .build/tf-test.log
	@for env in $(TF_ENVS); do \
	  echo "terraform test $(TF_ROOT) with environments/$$env"; \
	  $(TF) -chdir=$(TF_ROOT) test -no-color -filter=tests/environment.tftest.hcl -var-file=../environments/$$env/terraform.tfvars | tee -a .build/tf-test.log; \
	done

# Plan time per resource at 1,000 generated trusts, split into parts as prod is, against 10 (README: "Plan time at scale").
TF_SCALE_TRUSTS ?= 10,1000
tf-scale: tf-init build ## Plan every part over $(TF_SCALE_TRUSTS) generated trusts (mocked AWS); fails past 2x time per resource
	@mkdir -p .build
	npx tsx scripts/terraform/scale-plan.ts --trusts $(TF_SCALE_TRUSTS) --max-ratio 2 --log .build/tf-test.log

validate-trusts: ## Validate trust config files against the schema, naming file and field (ENV=name for one environment)
	npx tsx scripts/validate-trusts.ts --https-only $(if $(ENV),$(TF_DIR)/environments/$(ENV)/trusts,$(TF_DIR)/environments/*/trusts)
	$(if $(ENV),,npx tsx scripts/validate-trusts.ts scripts/local-pipeline/sample-trusts)

# An environment is planned and applied in parts, each its own state (a workspace of its backend): pipeline,
# bus-0 .. bus-<count-1>, index (infrastructure/terraform/README.md, "States: one per part"; scripts/terraform/environment.sh).
plan: build ## terraform plan ENV=test|staging|prod: every part (pipeline, each bus, index) into saved plans under .build/ENV/
	@test -n "$(ENV)" && test -f $(TF_DIR)/environments/$(ENV)/terraform.tfvars || { echo "usage: make plan ENV=<one of: $(TF_ENVS)>" >&2; exit 2; }
	$(MAKE) --no-print-directory validate-trusts ENV=$(ENV)
	scripts/terraform/environment.sh plan $(ENV)

apply: ## terraform apply ENV=... of the plans saved by `make plan ENV=...`, in order: pipeline, each bus, index
	@scripts/terraform/environment.sh apply $(ENV)

output: ## One terraform output -json ENV=..., merged from every part (what the support CLI reads with --outputs)
	@scripts/terraform/environment.sh output $(ENV)

# The deploy pipeline (.github/workflows/; infrastructure/terraform/README.md, "Deploying through GitHub Actions").
# Workflows call these targets and nothing else; scripts/deploy/workflows.test.ts checks every target they name exists.
DEPLOY_CLI := npx tsx scripts/deploy/cli.ts
BOOTSTRAP_DIR := $(TF_DIR)/bootstrap
.PHONY: deploy-account plan-readonly plan-summary drift workflow-lint tf-bootstrap

deploy-account: ## environments/ENV/account.json as name=value lines for $GITHUB_OUTPUT (account, Region, GitHub environment, role ARNs)
	@$(DEPLOY_CLI) account --env $(ENV)

# TF_CLI_ARGS_plan adds -lock=false to every terraform plan environment.sh runs (Terraform, "CLI environment variables",
# TF_CLI_ARGS and TF_CLI_ARGS_name: https://developer.hashicorp.com/terraform/cli/config/environment-variables).
plan-readonly: ## make plan ENV=... without the state lock: what the read-only plan role runs (pull requests, deploy plans, drift)
	TF_CLI_ARGS_plan=-lock=false $(MAKE) --no-print-directory plan ENV=$(ENV)

plan-summary: ## Summary per part of the plans saved by make plan ENV=... (.build/ENV/plan-summary.md; also the job summary in CI)
	@scripts/deploy/show-plans.sh $(ENV) > .build/$(ENV)/shown.args
	@$(DEPLOY_CLI) plan-summary --title "Plan for $(ENV)" $(if $(GITHUB_STEP_SUMMARY),--append-to "$(GITHUB_STEP_SUMMARY)") $(PLAN_SUMMARY_FLAGS) \
	  $$(cat .build/$(ENV)/shown.args) | tee .build/$(ENV)/plan-summary.md

drift: ## Plan ENV=... read-only and fail, with the summary, if anything would change (the daily drift workflow)
	$(MAKE) --no-print-directory plan-readonly ENV=$(ENV)
	$(MAKE) --no-print-directory plan-summary ENV=$(ENV) PLAN_SUMMARY_FLAGS=--fail-on-changes

workflow-lint: ## actionlint and the project's rules over .github/workflows (also run by make test, in vitest)
	$(DEPLOY_CLI) lint-workflows

tf-bootstrap: ## terraform validate and test the per-account bootstrap (state bucket, OIDC provider, plan and deploy roles)
	@mkdir -p .build
	$(TF) -chdir=$(BOOTSTRAP_DIR) init -backend=false -input=false -no-color >/dev/null
	$(TF) -chdir=$(BOOTSTRAP_DIR) validate -no-color
	$(TF) -chdir=$(BOOTSTRAP_DIR) test -no-color | tee -a .build/tf-test.log
