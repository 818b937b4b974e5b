# trust-callbacks: every command a developer, platform engineer or CI needs.
# `make test` is the one test command (CI runs exactly this through .ci/run).
SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c
TF := $(CURDIR)/scripts/terraform/terraform.sh
TF_DIR := infrastructure/terraform
TF_MODULES := $(wildcard $(TF_DIR)/modules/*)
TF_ENVS := $(notdir $(wildcard $(TF_DIR)/environments/*))
ENV ?=

.PHONY: help install local test lint typecheck unit build tf-init tf-fmt-check tf-validate tf-test validate-trusts plan apply fmt

help: ## List the targets
	@awk -F':.*## ' '/^[a-z-]+:.*## / { printf "  %-16s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

install: ## npm ci (clean install from the lockfile)
	npm ci --no-audit --no-fund

local: install ## Run the whole pipeline locally on the sample trusts (no AWS account)
	npm run --silent local

test: install lint typecheck unit build tf-fmt-check tf-validate tf-test validate-trusts ## Every check and test
	@npx tsx scripts/build/test-totals.ts .build/vitest.json .build/tf-test.log

lint: ## ESLint over all TypeScript
	npx eslint --max-warnings 0 .

typecheck: ## tsc --noEmit over all workspaces
	npx tsc -p tsconfig.json

unit: ## vitest (unit, property, integration and end-to-end tests)
	@mkdir -p .build
	npx vitest run --reporter=default --reporter=json --outputFile.json=.build/vitest.json

build: ## Bundle and zip every Lambda into .build/lambdas/
	npm run --silent lambda-build

fmt: ## Format Terraform files
	$(TF) fmt -recursive $(TF_DIR)

tf-init: ## terraform init every module and environment (providers from the local mirror, no backend)
	@for dir in $(TF_MODULES) $(addprefix $(TF_DIR)/environments/,$(TF_ENVS)); do \
	  echo "terraform init $$dir"; $(TF) -chdir=$$dir init -backend=false -input=false -no-color >/dev/null; \
	done

tf-fmt-check: ## terraform fmt -check
	$(TF) fmt -check -recursive -diff $(TF_DIR)

tf-validate: tf-init ## terraform validate every module and environment
	@for dir in $(TF_MODULES) $(addprefix $(TF_DIR)/environments/,$(TF_ENVS)); do \
	  echo "terraform validate $$dir"; $(TF) -chdir=$$dir validate -no-color; \
	done

tf-test: tf-init build ## terraform test (mock_provider "aws") in every module and environment that has tests
	@mkdir -p .build && : > .build/tf-test.log
	@for dir in $(TF_MODULES) $(addprefix $(TF_DIR)/environments/,$(TF_ENVS)); do \
	  if [ -d $$dir/tests ]; then echo "terraform test $$dir"; $(TF) -chdir=$$dir test -no-color | tee -a .build/tf-test.log; fi; \
	done

validate-trusts: ## Validate trust config files against the schema, naming file and field (ENV=name for one environment)
	npx tsx scripts/validate-trusts.ts --https-only $(if $(ENV),$(TF_DIR)/environments/$(ENV)/trusts,$(TF_DIR)/environments/*/trusts)
	$(if $(ENV),,npx tsx scripts/validate-trusts.ts scripts/local-pipeline/sample-trusts)

plan: build ## terraform plan ENV=test|staging|prod (validates trust files first)
	@test -n "$(ENV)" || { echo "usage: make plan ENV=staging" >&2; exit 2; }
	$(MAKE) --no-print-directory validate-trusts ENV=$(ENV)
	$(TF) -chdir=$(TF_DIR)/environments/$(ENV) init -input=false -backend-config=backend.hcl
	$(TF) -chdir=$(TF_DIR)/environments/$(ENV) plan -input=false -out=tfplan

apply: ## terraform apply ENV=... of the plan saved by `make plan ENV=...`
	@test -n "$(ENV)" || { echo "usage: make apply ENV=staging" >&2; exit 2; }
	$(TF) -chdir=$(TF_DIR)/environments/$(ENV) apply -input=false tfplan
