#!/usr/bin/env bash
# scripts/deploy/show-plans.sh <env>: `terraform show -json` of each plan `make plan ENV=<env>` saved, in apply order,
# into .build/<env>/shown/<part>.json; prints `<part>=<file>` per plan for `scripts/deploy/cli.ts plan-summary`.
# Reads the parts from .build/<env>/parts (scripts/terraform/environment.ts plan writes it): `pipeline`, the pipeline
# stack's state, and `bus-<i>`, the trusts stack's workspace bus-<i> (infrastructure/terraform/stacks).
set -euo pipefail
env="${1:-}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [[ -z "$env" || ! -f "$repo/infrastructure/terraform/environments/$env/terraform.tfvars" ]]; then
  echo "usage: scripts/deploy/show-plans.sh <env>" >&2
  exit 2
fi
build="${ENVIRONMENT_BUILD_DIR:-$repo/.build/$env}"
if [[ ! -f "$build/parts" ]]; then
  echo "no saved plans for $env: make plan ENV=$env first" >&2
  exit 1
fi
rm -rf "$build/shown" && mkdir -p "$build/shown"
for part in $(cat "$build/parts"); do
  if [[ "$part" == pipeline ]]; then stack=pipeline workspace=default; else stack=trusts workspace="$part"; fi
  TF_DATA_DIR=".terraform-$env" TF_WORKSPACE="$workspace" "$repo/scripts/terraform/terraform.sh" -chdir="$repo/infrastructure/terraform/stacks/$stack" \
    show -json "$build/$part.tfplan" >"$build/shown/$part.json"
  echo "$part=$build/shown/$part.json"
done
