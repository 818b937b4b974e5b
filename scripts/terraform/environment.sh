#!/usr/bin/env bash
# make plan|apply|output ENV=<env>: one environment as two stacks (infrastructure/terraform/stacks; README "States:
# two stacks"), each part one state:
#   pipeline (stack pipeline, default workspace) -> bus-0 .. bus-<count-1> (stack trusts, workspace bus-<i>; and any
#   bus-<i> workspace past the count)
# Both stacks use the environment's backend (environments/<env>/backend.hcl) and its one key: the pipeline stack its
# default workspace (the state at key), each bus its workspace bus-<i> (the S3 backend keeps it at
# env:/bus-<i>/<key>: Terraform docs, "Backend type: s3", State Storage:
# https://developer.hashicorp.com/terraform/language/backend/s3), the state objects the bootstrap's roles may use.
# Each terraform run picks its workspace with TF_WORKSPACE, and the trusts stack refuses a bus planned in another
# bus's workspace, and any deployed plan in the default workspace (output bus's preconditions).
#
#   plan    saves one plan per part in .build/<env>/<part>.tfplan, the bus stacks reading the pipeline stack's applied
#           outputs through terraform_remote_state (recorded in .build/<env>/planned-with.tfvars.json); the pipeline
#           alone when nothing is applied yet or when its plan changes those outputs (then: apply, plan again); when
#           event_buses.count shrinks, the bus stacks first, and the pipeline (which removes buses) once their plans
#           change nothing
#   apply   applies exactly those saved plans, in order; stops before the first bus stack if the pipeline's
#           outputs are not what they were planned with (changed by this apply or another since: plan again)
#   output  one `terraform output -json` document merged from every applied part's (what the support CLI's
#           --outputs reads); a part never applied yet is named on stderr and left out
set -euo pipefail

command="${1:-}"
env="${2:-}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
stacks="$repo/infrastructure/terraform/stacks"
envs="$(cd "$repo/infrastructure/terraform/environments" && echo *)"
if [[ -z "$env" || ! -f "$repo/infrastructure/terraform/environments/$env/terraform.tfvars" ]]; then
  echo "usage: make $command ENV=<one of: $envs>" >&2
  exit 2
fi
# Saved plans, the pipeline's var file and the parts' outputs (ENVIRONMENT_BUILD_DIR: tests only).
build="${ENVIRONMENT_BUILD_DIR:-$repo/.build/$env}"
mkdir -p "$build"
parts_cli=("$repo/node_modules/.bin/tsx" "$repo/scripts/terraform/parts.ts")
tfvars="../../environments/$env/terraform.tfvars"

# terraform with this environment's own .terraform directory, for part $1: the pipeline stack in its default
# workspace, or bus-<i> in the trusts stack's workspace bus-<i>.
tf_in() {
  local part="$1"
  shift
  if [[ "$part" == pipeline ]]; then
    TF_DATA_DIR=".terraform-$env" TF_WORKSPACE=default "$repo/scripts/terraform/terraform.sh" -chdir="$stacks/pipeline" "$@"
  else
    TF_DATA_DIR=".terraform-$env" TF_WORKSPACE="$part" "$repo/scripts/terraform/terraform.sh" -chdir="$stacks/trusts" "$@"
  fi
}

init() {
  # The trusts stack's pipeline_state: where terraform_remote_state reads the pipeline stack's outputs.
  "${parts_cli[@]}" backend --backend "$repo/infrastructure/terraform/environments/$env/backend.hcl" --out "$build/pipeline-state.tfvars.json"
  local stack
  for stack in pipeline trusts; do
    TF_DATA_DIR=".terraform-$env" "$repo/scripts/terraform/terraform.sh" -chdir="$stacks/$stack" init -input=false -reconfigure \
      -backend-config="../../environments/$env/backend.hcl" >&2
  done
  TF_DATA_DIR=".terraform-$env" "$repo/scripts/terraform/terraform.sh" -chdir="$stacks/trusts" workspace list >"$build/workspaces.txt"
}

# Creates a bus's workspace (its state) in the trusts stack if the backend has none yet.
ensure_workspace() {
  local part="$1"
  if ! grep -qE "^[* ] $part\$" "$build/workspaces.txt"; then
    TF_DATA_DIR=".terraform-$env" "$repo/scripts/terraform/terraform.sh" -chdir="$stacks/trusts" workspace new "$part" >&2
    echo "  $part" >>"$build/workspaces.txt"
  fi
}

# The pipeline stack's applied outputs -> .build/<env>/pipeline.tfvars.json (removed while it has none): what the bus
# stacks read through terraform_remote_state, kept to tell at apply time whether their plans are stale.
refresh_pipeline_vars() {
  tf_in pipeline output -json >"$build/pipeline.outputs.json"
  "${parts_cli[@]}" pipeline-vars --outputs "$build/pipeline.outputs.json" --out "$build/pipeline.tfvars.json"
}

plan() {
  init
  rm -f "$build"/*.tfplan "$build/parts" "$build/planned-with.tfvars.json"
  refresh_pipeline_vars
  echo "== plan stack pipeline" >&2
  tf_in pipeline plan -input=false -var-file="$tfvars" -out="$build/pipeline.tfplan"
  tf_in pipeline show -json "$build/pipeline.tfplan" >"$build/pipeline.plan.json"
  local parts
  parts="$("${parts_cli[@]}" scope --env "$env" --plan "$build/pipeline.plan.json" --workspaces "$build/workspaces.txt")"
  if [[ " $parts " != " pipeline " ]]; then cp "$build/pipeline.tfvars.json" "$build/planned-with.tfvars.json"; fi
  local part
  # A trust whose state is in another bus's stack than the one it hashes to (event_buses.count changed) would be
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
    echo "== plan stack trusts, workspace $part" >&2
    # -detailed-exitcode: 0 no changes, 2 changes, anything else a failure (`terraform plan -help`;
    # https://developer.hashicorp.com/terraform/cli/commands/plan, "Other Options").
    status=0
    # The plan reads the pipeline stack's outputs itself (terraform_remote_state); planned-with records what they were.
    tf_in "$part" plan -input=false -detailed-exitcode -var-file="$tfvars" -var-file="$build/pipeline-state.tfvars.json" -out="$build/$part.tfplan" || status=$?
    case "$status" in
      0) ;;
      2) changed=yes ;;
      *) exit "$status" ;;
    esac
  done
  if [[ " $parts " != *" pipeline "* ]]; then
    # A shrink of event_buses.count: the bus stacks move the trusts off the buses to be removed first. Once they have
    # (their plans change nothing), the pipeline stack's plan, which removes those buses, is the one to apply.
    if [[ "$changed" == no ]]; then
      rm -f "$build"/bus-*.tfplan "$build/planned-with.tfvars.json"
      parts=pipeline
      echo "the bus stacks are already on the new event_buses.count: planning the pipeline stack, which removes the buses past it" >&2
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
    # The bus stacks were planned with the pipeline's outputs as they were then (planned-with); before the
    # first of them, make sure they still are (after this apply's pipeline part, or anyone's since the plan): never
    # apply a bus plan made with values that are no longer true.
    if [[ "$part" != pipeline && "$checked" == no ]]; then
      refresh_pipeline_vars
      if [[ ! -f "$build/pipeline.tfvars.json" ]] || ! cmp -s "$build/pipeline.tfvars.json" "$build/planned-with.tfvars.json"; then
        rm -f "$build"/*.tfplan "$build/parts"
        echo "the pipeline stack's outputs are not what the bus stacks were planned with (changed by this apply or another since the plan): their plans are stale; make plan ENV=$env again" >&2
        exit 1
      fi
      checked=yes
    fi
    echo "== apply $part" >&2
    # A saved plan: exactly what was reviewed. Terraform refuses it if the state changed since the plan.
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
  tf_in pipeline output -json >"$build/outputs/pipeline.json"
  local workspace
  for workspace in $(sed 's/^[* ] //' "$build/workspaces.txt"); do
    [[ "$workspace" =~ ^bus-[0-9]+$ ]] || continue
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
