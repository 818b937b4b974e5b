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

variable "event_bus_names" {
  description = "Names of the deployment's callbacks buses: the only buses the signer may publish to."
  type        = list(string)

  validation {
    condition     = length(var.event_bus_names) > 0
    error_message = "give at least one callbacks bus."
  }
}

variable "config_bucket_arn" {
  description = "ARN of the bucket that holds the subscription documents."
  type        = string
}

variable "subscriptions_prefix" {
  description = "Key prefix of the subscription documents in the config bucket, ending in /."
  type        = string

  validation {
    condition     = endswith(var.subscriptions_prefix, "/")
    error_message = "subscriptions_prefix ends in / (e.g. subscriptions/), so the grant covers that folder only."
  }
}

variable "main_key_arn" {
  description = "ARN of the data-at-rest key (the config bucket's and the log group's)."
  type        = string
}

variable "data_key_key_arn" {
  description = "ARN of the key that wraps field data keys (replay decrypts the stream's fields)."
  type        = string
}

variable "signing_secret_prefix" {
  description = "Name prefix of the endpoints' signing keys, e.g. trust-callbacks/prod/signing/: the only secrets the signer may read."
  type        = string

  validation {
    condition     = endswith(var.signing_secret_prefix, "/") && length(var.signing_secret_prefix) > 1
    error_message = "signing_secret_prefix ends in / (e.g. trust-callbacks/prod/signing/), so it names one folder of secrets."
  }
}

variable "secrets_kms_key_arns" {
  description = "Customer managed keys that encrypt the signing secrets (used through Secrets Manager only); empty when they use the AWS managed key."
  type        = list(string)
  default     = []
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
