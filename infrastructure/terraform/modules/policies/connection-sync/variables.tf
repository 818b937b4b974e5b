variable "name_prefix" {
  description = "Prefix of every resource name of the deployment, e.g. trust-callbacks-prod: its connections are <prefix>-<ODS>-<endpoint>."
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
}

variable "credentials_secret_prefix" {
  description = "Name prefix of every endpoint's credentials secret, trust-callbacks/<env>/credentials/: the function may read secrets under it and no other."
  type        = string
  validation {
    condition     = can(regex("^[A-Za-z0-9/_+=.@-]{3,}/$", var.credentials_secret_prefix))
    error_message = "credentials_secret_prefix must be a Secrets Manager name prefix ending in /, e.g. trust-callbacks/prod/credentials/."
  }
}

variable "secrets_kms_key_arns" {
  description = "Customer-managed keys that encrypt the credentials secrets, if any."
  type        = list(string)
  default     = []
}

variable "connections_key_arn" {
  description = "ARN of the key that encrypts the connections' own secrets (events!connection/...)."
  type        = string
}

variable "config_bucket_arn" {
  description = "ARN of the config bucket holding the connection credentials map."
  type        = string
}

variable "credentials_map_key" {
  description = "S3 key of the connection credentials map in the config bucket."
  type        = string
}

variable "main_key_arn" {
  description = "ARN of the data-at-rest key (encrypts the config bucket's objects)."
  type        = string
}

variable "log_group_arn" {
  description = "ARN of the function's log group."
  type        = string
}
