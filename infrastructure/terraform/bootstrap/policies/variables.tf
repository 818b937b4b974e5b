variable "account_id" {
  description = "The environment's AWS account (environments/<env>/account.json accountId)."
  type        = string
  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be a 12-digit AWS account id."
  }
}

variable "region" {
  description = "The Region the stacks deploy to (account.json region)."
  type        = string
  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must be an AWS Region such as eu-west-2."
  }
}

variable "environment" {
  description = "The environment (the directory under environments/): names the stacks' prefix trust-callbacks-<environment> and its tags."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,11}$", var.environment))
    error_message = "environment must be 2-12 lower-case letters or digits, starting with a letter."
  }
}

variable "github_repository" {
  description = "<owner>/<repository> whose workflows may assume the roles (account.json githubRepository)."
  type        = string
  validation {
    condition     = can(regex("^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$", var.github_repository))
    error_message = "github_repository must be <owner>/<repository>."
  }
}

variable "github_environment" {
  description = "The GitHub environment whose jobs may assume the deploy role (account.json githubEnvironment); its protection rules are the approval gate."
  type        = string
  validation {
    condition     = can(regex("^[A-Za-z0-9._-]{1,255}$", var.github_environment))
    error_message = "github_environment must be a GitHub environment name (letters, digits, ., _ or -)."
  }
}

variable "plan_role_name" {
  description = "Name of the read-only plan role (from account.json planRoleArn)."
  type        = string
}

variable "deploy_role_name" {
  description = "Name of the deploy role (from account.json deployRoleArn)."
  type        = string
}

variable "state_bucket" {
  description = "The state bucket of environments/<env>/backend.hcl."
  type        = string
}

variable "state_key" {
  description = "The state key of environments/<env>/backend.hcl; each part's workspace keeps its state at env:/<part>/<key>."
  type        = string
}

variable "bootstrap_state_key" {
  description = "Where the bootstrap's own state lives in the bucket (after it is migrated there): no GitHub role may touch it."
  type        = string
  default     = "bootstrap/terraform.tfstate"
}

variable "state_writers" {
  description = "Role ARNs besides the deploy role that may write the environment's state: the break-glass administrators of the local path (README, First deploy)."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for arn in var.state_writers : can(regex("^arn:aws:iam::[0-9]{12}:role/.+$", arn))])
    error_message = "state_writers must be IAM role ARNs."
  }
}
