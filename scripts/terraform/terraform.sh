#!/usr/bin/env bash
# Runs terraform with providers from a filesystem mirror when one is configured, so `terraform init`
# works offline. TF_PROVIDER_MIRROR names the mirror directory; unset, /opt/tf-plugins is used if it
# exists; set it to "registry" (or leave no mirror on the machine) to install from the registry.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
mirror="${TF_PROVIDER_MIRROR:-}"
if [[ -z "$mirror" && -d /opt/tf-plugins ]]; then mirror=/opt/tf-plugins; fi
if [[ -n "$mirror" && "$mirror" != "registry" ]]; then
  if [[ ! -d "$mirror" ]]; then
    echo "TF_PROVIDER_MIRROR=$mirror is not a directory" >&2
    exit 2
  fi
  config="$repo_root/.build/terraformrc"
  mkdir -p "$repo_root/.build"
  cat >"$config" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/hashicorp/*"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/*"]
  }
}
RC
  export TF_CLI_CONFIG_FILE="$config"
elif [[ -n "${TF_CLI_CONFIG_FILE:-}" && ! -f "$TF_CLI_CONFIG_FILE" ]]; then
  unset TF_CLI_CONFIG_FILE # a dangling setting only produces warnings
fi
export TF_IN_AUTOMATION=1
exec terraform "$@"
