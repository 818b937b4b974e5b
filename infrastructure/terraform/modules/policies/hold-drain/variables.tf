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
  description = "Names of the deployment's callbacks buses: the only buses the drain may publish to."
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

variable "signing_secret_prefix" {
  description = "Name prefix of the endpoints' signing keys, e.g. trust-callbacks/prod/signing/: the only secrets the drain may read."
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
