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

variable "data_key_key_arn" {
  description = "ARN of the key that wraps field data keys (replay decrypts the stream's fields)."
  type        = string
}

variable "log_group_arn" {
  description = "ARN of the signer's own log group."
  type        = string
}

variable "hold_producer_statements" {
  description = "The hold producer's statements (modules/policies/pipeline output hold_producer_statements): send to hold stores, read hold states."
  type        = any

  validation {
    condition     = length(var.hold_producer_statements) > 0 && alltrue([for statement in var.hold_producer_statements : statement.Effect == "Allow"])
    error_message = "give the pipeline policies' hold_producer_statements (allow statements)."
  }
}

variable "re_signing_statements" {
  description = "The statements of a function that re-signs and publishes (modules/policies/pipeline output re_signing_statements): read subscription documents and signing keys, publish to the callbacks buses."
  type        = any

  validation {
    condition     = length(var.re_signing_statements) > 0 && alltrue([for statement in var.re_signing_statements : statement.Effect == "Allow"])
    error_message = "give the pipeline policies' re_signing_statements (allow statements)."
  }
}
