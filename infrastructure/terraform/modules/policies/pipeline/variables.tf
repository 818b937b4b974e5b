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
}

# One variable per ARN (not one object): each is its own graph node, so the Lambda's policy does not wait for the
# Lambda, whose creation waits for its policy.
variable "main_key_arn" {
  description = "ARN of the data-at-rest key."
  type        = string
}

variable "source_stream_arn" {
  description = "ARN of the source Kinesis stream."
  type        = string
}

variable "source_stream_key_arn" {
  description = "ARN of the key that encrypts the source stream."
  type        = string
}

variable "data_key_key_arn" {
  description = "ARN of the key that wraps field data keys."
  type        = string
}

variable "lambda_function_arn" {
  description = "ARN of the transform-and-filter Lambda."
  type        = string
}

variable "lambda_log_group_arn" {
  description = "ARN of the Lambda's log group."
  type        = string
}

variable "pipe_log_group_arn" {
  description = "ARN of the Pipe's log group."
  type        = string
}

variable "pipe_dlq_arn" {
  description = "ARN of the Pipe's dead-letter queue."
  type        = string
}

variable "config_bucket_arn" {
  description = "ARN of the config bucket."
  type        = string
}

variable "quarantine_bucket_arn" {
  description = "ARN of the quarantine bucket."
  type        = string
}

variable "bindings_table_arn" {
  description = "ARN of the conversation bindings table (arn:<partition>:dynamodb:<region>:<account>:table/<name>)."
  type        = string
  validation {
    condition     = can(regex("^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:[0-9]{12}:table/[A-Za-z0-9_.-]{3,255}$", var.bindings_table_arn))
    error_message = "bindings_table_arn must be a DynamoDB table ARN."
  }
}

variable "event_bus_names" {
  description = "Names of the callbacks buses. Their ARNs are built here because the buses' key policy must name them before the buses (encrypted with that key) exist (EventBridge's documented example does the same)."
  type        = list(string)
}

variable "subscriptions_prefix" {
  description = "Key prefix of the subscription documents in the config bucket."
  type        = string
}

variable "quarantine_prefix" {
  description = "Key prefix of quarantined records in the quarantine bucket."
  type        = string
}

variable "signing_secret_prefix" {
  description = "Name prefix of the endpoints' signing keys in Secrets Manager, trust-callbacks/<env>/signing/: the Lambda may read secrets under it and no other."
  type        = string
  validation {
    condition     = can(regex("^[A-Za-z0-9/_+=.@-]{3,}/$", var.signing_secret_prefix))
    error_message = "signing_secret_prefix must be a Secrets Manager name prefix ending in /, e.g. trust-callbacks/prod/signing/."
  }
}

variable "secrets_kms_key_arns" {
  description = "Customer-managed keys that encrypt the signing secrets, if any."
  type        = list(string)
  default     = []
}

variable "holds" {
  description = "Holds and notices (issue #25): the holds table, and the roles the holds key policy and the notices key policy name (the transform Lambda's and the support signer's as producers, the drain's, the notifier's)."
  type = object({
    table_arn          = string
    producer_role_arns = list(string)
    drain_role_arn     = string
    notifier_role_arn  = string
  })

  validation {
    condition     = length(var.holds.producer_role_arns) > 0 && can(regex("^arn:[a-z-]+:dynamodb:[^:]+:[0-9]{12}:table/[A-Za-z0-9_.-]+$", var.holds.table_arn))
    error_message = "holds.producer_role_arns names at least one role, and holds.table_arn is a DynamoDB table ARN."
  }
}

variable "holds_key_arn" {
  description = "ARN of the key that encrypts the hold stores (apart from var.holds: that key's policy is rendered from var.holds)."
  type        = string
}
