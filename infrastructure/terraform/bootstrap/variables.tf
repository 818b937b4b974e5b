variable "environment" {
  description = "The environment whose account this bootstraps: reads environments/<environment>/account.json and backend.hcl."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,11}$", var.environment)) && fileexists("${path.module}/../environments/${var.environment}/account.json")
    error_message = "environment must name a directory under infrastructure/terraform/environments/ holding an account.json."
  }
}

variable "create_oidc_provider" {
  description = "Create the account's GitHub OIDC provider (one per account and URL); false when the account already has one."
  type        = bool
  default     = true
}

variable "state_writers" {
  description = "Break-glass administrator role ARNs that may write the environment's state besides the deploy role (the local make plan/apply path)."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for arn in var.state_writers : can(regex("^arn:aws:iam::[0-9]{12}:role/.+$", arn))])
    error_message = "state_writers must be IAM role ARNs."
  }
}

variable "deploy_session_hours" {
  description = "Longest session of the deploy role: at least the apply job's timeout (deploy.yml), so credentials never expire mid-apply."
  type        = number
  default     = 3
  validation {
    condition     = var.deploy_session_hours >= 1 && var.deploy_session_hours <= 12
    error_message = "deploy_session_hours must be 1 to 12 (IAM's range for a role's maximum session duration)."
  }
}
