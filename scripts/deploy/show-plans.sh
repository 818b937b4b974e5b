#!/usr/bin/env bash
# scripts/deploy/show-plans.sh <env>: `terraform show -json` of each plan `make plan ENV=<env>` saved, in apply order,
# into .build/<env>/shown/<part>.json; prints `<part>=<file>` per plan for `scripts/deploy/cli.ts plan-summary`.
# Reads the parts from .build/<env>/parts (scripts/terraform/environment.sh writes it); when the parts become stacks,
# only this file changes: the summary takes any set of named plans.
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
  TF_DATA_DIR=".terraform-$env" TF_WORKSPACE="$part" "$repo/scripts/terraform/terraform.sh" -chdir="$repo/infrastructure/terraform/root" \
    show -json "$build/$part.tfplan" >"$build/shown/$part.json"
  echo "$part=$build/shown/$part.json"
done
