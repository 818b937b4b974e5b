#!/usr/bin/env bash
# make plan|apply|output ENV=<env>: one environment, planned and applied in parts, each its own state
# (infrastructure/terraform/root/main.tf; README "States: one per part"):
#   pipeline  -> bus-0 .. bus-<count-1> (and any bus-<i> workspace past the count) -> index
# Each part's state is a workspace of the environment's one backend (environments/<env>/backend.hcl); the S3 backend
# keeps a workspace's state at env:/<workspace>/<key> (Terraform docs, "Backend type: s3", State Storage:
# https://developer.hashicorp.com/terraform/language/backend/s3). Each terraform run picks its part's workspace with
# TF_WORKSPACE, and the root refuses a part planned in another part's workspace (output part's precondition).
#
#   plan    saves one plan per part in .build/<env>/<part>.tfplan, the bus and index parts planned with the pipeline
#           part's applied outputs (.build/<env>/pipeline.tfvars.json); the pipeline alone when nothing is applied yet
#           or when its plan changes those outputs (then: apply, plan again)
#   apply   applies exactly those saved plans, in order; stops before the bus parts if the pipeline's outputs came
#           out different from what they were planned with (then: plan again)
#   output  one `terraform output -json` document merged from every part's (what the support CLI's --outputs reads)
set -euo pipefail

command="${1:-}"
env="${2:-}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
root="$repo/infrastructure/terraform/root"
envs="$(cd "$repo/infrastructure/terraform/environments" && echo *)"
if [[ -z "$env" || ! -f "$repo/infrastructure/terraform/environments/$env/terraform.tfvars" ]]; then
  echo "usage: make $command ENV=<one of: $envs>" >&2
  exit 2
fi
# Saved plans, the pipeline's var file and the parts' outputs (ENVIRONMENT_BUILD_DIR: tests only).
build="${ENVIRONMENT_BUILD_DIR:-$repo/.build/$env}"
mkdir -p "$build"
parts_cli=("$repo/node_modules/.bin/tsx" "$repo/scripts/terraform/parts.ts")
tfvars="../environments/$env/terraform.tfvars"

# terraform in the root, with this environment's own .terraform directory, in workspace $1 (a part).
tf_in() {
  local workspace="$1"
  shift
  TF_DATA_DIR=".terraform-$env" TF_WORKSPACE="$workspace" "$repo/scripts/terraform/terraform.sh" -chdir="$root" "$@"
}

init() {
  TF_DATA_DIR=".terraform-$env" "$repo/scripts/terraform/terraform.sh" -chdir="$root" init -input=false -reconfigure \
    -backend-config="../environments/$env/backend.hcl" >&2
  TF_DATA_DIR=".terraform-$env" "$repo/scripts/terraform/terraform.sh" -chdir="$root" workspace list >"$build/workspaces.txt"
}

# Creates the part's workspace (its state) if the backend has none yet.
ensure_workspace() {
  local part="$1"
  if ! grep -qE "^[* ] $part\$" "$build/workspaces.txt"; then
    TF_DATA_DIR=".terraform-$env" "$repo/scripts/terraform/terraform.sh" -chdir="$root" workspace new "$part" >&2
    echo "  $part" >>"$build/workspaces.txt"
  fi
}

# The pipeline part's applied outputs -> .build/<env>/pipeline.tfvars.json (removed while it has none).
refresh_pipeline_vars() {
  ensure_workspace pipeline
  tf_in pipeline output -json >"$build/pipeline.outputs.json"
  "${parts_cli[@]}" pipeline-vars --outputs "$build/pipeline.outputs.json" --out "$build/pipeline.tfvars.json"
}

plan() {
  init
  rm -f "$build"/*.tfplan "$build/parts" "$build/planned-with.tfvars.json"
  refresh_pipeline_vars
  echo "== plan part pipeline (workspace pipeline)" >&2
  tf_in pipeline plan -input=false -var-file="$tfvars" -var part=pipeline -out="$build/pipeline.tfplan"
  tf_in pipeline show -json "$build/pipeline.tfplan" >"$build/pipeline.plan.json"
  local parts
  parts="$("${parts_cli[@]}" scope --env "$env" --plan "$build/pipeline.plan.json" --workspaces "$build/workspaces.txt")"
  [[ " $parts " == *" pipeline "* ]] || rm -f "$build/pipeline.tfplan"
  if [[ " $parts " != " pipeline " ]]; then cp "$build/pipeline.tfvars.json" "$build/planned-with.tfvars.json"; fi
  local part
  # A trust whose state is in another bus part than the one it hashes to (event_buses.count changed) would be
  # destroyed there and created again here: refuse, printing the state moves (README, "Changing event_buses.count").
  if [[ " $parts " == *" bus-"* ]]; then
    rm -rf "$build/held" && mkdir -p "$build/held"
    for part in $(sed 's/^[* ] //' "$build/workspaces.txt"); do
      [[ "$part" =~ ^bus-[0-9]+$ ]] && tf_in "$part" state list >"$build/held/$part.txt"
    done
    "${parts_cli[@]}" moves --env "$env" --plan "$build/pipeline.plan.json" --held "$build/held"
  fi
  for part in $parts; do
    [[ "$part" == pipeline ]] && continue
    ensure_workspace "$part"
    echo "== plan part $part (workspace $part)" >&2
    tf_in "$part" plan -input=false -var-file="$tfvars" -var-file="$build/planned-with.tfvars.json" -var "part=$part" -out="$build/$part.tfplan"
  done
  echo "$parts" >"$build/parts"
  echo "planned parts, in apply order: $parts (make apply ENV=$env applies them)" >&2
}

apply() {
  if [[ ! -f "$build/parts" ]]; then
    echo "no saved plans for $env: make plan ENV=$env first, then make apply ENV=$env" >&2
    exit 2
  fi
  init
  local part
  for part in $(cat "$build/parts"); do
    if [[ ! -f "$build/$part.tfplan" ]]; then
      echo "part $part: no saved plan (already applied, or make plan failed): make plan ENV=$env again" >&2
      exit 1
    fi
    echo "== apply part $part (workspace $part)" >&2
    # A saved plan: exactly what was reviewed. Terraform refuses it if the part's state changed since the plan.
    tf_in "$part" apply -input=false "$build/$part.tfplan"
    rm -f "$build/$part.tfplan"
    if [[ "$part" == pipeline ]]; then
      refresh_pipeline_vars
      # The bus and index parts were planned with the pipeline's outputs as they were; the scope check kept them
      # unchanged, and this makes sure: never apply a bus plan made with values that are no longer true.
      if [[ -f "$build/planned-with.tfvars.json" ]] && ! cmp -s "$build/pipeline.tfvars.json" "$build/planned-with.tfvars.json"; then
        rm -f "$build"/*.tfplan "$build/parts"
        echo "the pipeline part's outputs changed in this apply: the other parts' plans are stale; make plan ENV=$env again" >&2
        exit 1
      fi
    fi
  done
  rm -f "$build/parts"
  echo "applied every planned part of $env; make plan ENV=$env shows whether anything is left (the pipeline's first apply, a bus count change)" >&2
}

output() {
  init
  rm -rf "$build/outputs" && mkdir -p "$build/outputs"
  local workspace
  for workspace in $(sed 's/^[* ] //' "$build/workspaces.txt"); do
    [[ "$workspace" =~ ^(pipeline|index|bus-[0-9]+)$ ]] || continue
    tf_in "$workspace" output -json >"$build/outputs/$workspace.json"
  done
  "${parts_cli[@]}" merge "$build"/outputs/*.json
}

case "$command" in
  plan) plan ;;
  apply) apply ;;
  output) output ;;
  *)
    echo "usage: scripts/terraform/environment.sh plan|apply|output <env>" >&2
    exit 2
    ;;
esac
