variable "name_prefix" {
  description = "Prefix of every resource name of the deployment, e.g. trust-callbacks-prod: ARN patterns stay under it."
  type        = string
}

variable "partition" {
  description = "AWS partition, e.g. aws."
  type        = string
}

variable "region" {
  description = "AWS Region, e.g. eu-west-2."
  type        = string
}

variable "account_id" {
  description = "The deployment's AWS account id."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id is the 12-digit AWS account id."
  }
}

variable "main_key_arn" {
  description = "ARN of the data-at-rest key (the config bucket's and the log group's)."
  type        = string
}

variable "log_group_arn" {
  description = "ARN of the drain's own log group."
  type        = string
}

variable "holds_table_arn" {
  description = "ARN of the holds table (<prefix>-holds)."
  type        = string
}

variable "notices_table_arn" {
  description = "ARN of the notices table (<prefix>-notices)."
  type        = string
}

variable "holds_key_arn" {
  description = "ARN of the key that encrypts the hold stores."
  type        = string
}

variable "re_signing_statements" {
  description = "The statements of a function that re-signs and publishes (modules/policies/pipeline output re_signing_statements): read subscription documents and signing keys, publish to the callbacks buses."
  type        = any

  validation {
    condition     = length(var.re_signing_statements) > 0 && alltrue([for statement in var.re_signing_statements : statement.Effect == "Allow"])
    error_message = "give the pipeline policies' re_signing_statements (allow statements)."
  }
}
