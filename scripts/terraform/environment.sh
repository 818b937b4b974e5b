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
#           or when its plan changes those outputs (then: apply, plan again); when event_buses.count shrinks, the bus
#           and index parts first, and the pipeline (which removes buses) once their plans change nothing
#   apply   applies exactly those saved plans, in order; stops before the first bus or index part if the pipeline's
#           outputs are not what they were planned with (changed by this apply or another since: plan again)
#   output  one `terraform output -json` document merged from every applied part's (what the support CLI's
#           --outputs reads); a part never applied yet is named on stderr and left out
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
  if [[ " $parts " != " pipeline " ]]; then cp "$build/pipeline.tfvars.json" "$build/planned-with.tfvars.json"; fi
  local part
  # A trust whose state is in another bus part than the one it hashes to (event_buses.count changed) would be
  # destroyed there and created again here: refuse, printing the state moves (README, "Changing event_buses.count").
  if [[ " $parts " == *" bus-"* ]]; then
    rm -rf "$build/held" && mkdir -p "$build/held"
    for part in $(sed 's/^[* ] //' "$build/workspaces.txt"); do
      if [[ "$part" =~ ^bus-[0-9]+$ ]]; then tf_in "$part" state list >"$build/held/$part.txt"; fi
    done
    "${parts_cli[@]}" moves --env "$env" --plan "$build/pipeline.plan.json" --held "$build/held"
  fi
  local changed=no status
  for part in $parts; do
    [[ "$part" == pipeline ]] && continue
    ensure_workspace "$part"
    echo "== plan part $part (workspace $part)" >&2
    # -detailed-exitcode: 0 no changes, 2 changes, anything else a failure (`terraform plan -help`;
    # https://developer.hashicorp.com/terraform/cli/commands/plan, "Other Options").
    status=0
    tf_in "$part" plan -input=false -detailed-exitcode -var-file="$tfvars" -var-file="$build/planned-with.tfvars.json" -var "part=$part" -out="$build/$part.tfplan" || status=$?
    case "$status" in
      0) ;;
      2) changed=yes ;;
      *) exit "$status" ;;
    esac
  done
  if [[ " $parts " != *" pipeline "* ]]; then
    # A shrink of event_buses.count: the bus and index parts move the trusts off the buses to be removed first. Once
    # they have (their plans change nothing), the pipeline part's plan, which removes those buses, is the one to apply.
    if [[ "$changed" == no ]]; then
      rm -f "$build"/bus-*.tfplan "$build/index.tfplan" "$build/planned-with.tfvars.json"
      parts=pipeline
      echo "the bus and index parts are already on the new event_buses.count: planning the pipeline part, which removes the buses past it" >&2
    else
      rm -f "$build/pipeline.tfplan"
    fi
  fi
  echo "$parts" >"$build/parts"
  echo "planned parts, in apply order: $parts (make apply ENV=$env applies them)" >&2
}

apply() {
  if [[ ! -f "$build/parts" ]]; then
    echo "no saved plans for $env: make plan ENV=$env first, then make apply ENV=$env" >&2
    exit 2
  fi
  init
  local part checked=no
  for part in $(cat "$build/parts"); do
    if [[ ! -f "$build/$part.tfplan" ]]; then
      echo "part $part: no saved plan (already applied, or make plan failed): make plan ENV=$env again" >&2
      exit 1
    fi
    # The bus and index parts were planned with the pipeline's outputs as they were then (planned-with); before the
    # first of them, make sure they still are (after this apply's pipeline part, or anyone's since the plan): never
    # apply a bus plan made with values that are no longer true.
    if [[ "$part" != pipeline && "$checked" == no ]]; then
      refresh_pipeline_vars
      if [[ ! -f "$build/pipeline.tfvars.json" ]] || ! cmp -s "$build/pipeline.tfvars.json" "$build/planned-with.tfvars.json"; then
        rm -f "$build"/*.tfplan "$build/parts"
        echo "the pipeline part's outputs are not what the other parts were planned with (changed by this apply or another since the plan): their plans are stale; make plan ENV=$env again" >&2
        exit 1
      fi
      checked=yes
    fi
    echo "== apply part $part (workspace $part)" >&2
    # A saved plan: exactly what was reviewed. Terraform refuses it if the part's state changed since the plan.
    tf_in "$part" apply -input=false "$build/$part.tfplan"
    rm -f "$build/$part.tfplan"
    if [[ "$part" == pipeline ]]; then refresh_pipeline_vars; fi
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
