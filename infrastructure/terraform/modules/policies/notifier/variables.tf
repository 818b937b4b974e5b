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

variable "notices_table_arn" {
  description = "ARN of the notices table (<prefix>-notices)."
  type        = string
}

variable "notices_key_arn" {
  description = "ARN of the key that encrypts the trusts' notice topics."
  type        = string
}

variable "main_key_arn" {
  description = "ARN of the data-at-rest key (the notices table's and the log group's)."
  type        = string
}

variable "log_group_arn" {
  description = "ARN of the notifier's own log group."
  type        = string
}
