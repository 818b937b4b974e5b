variable "environment" {
  description = "Environment name: test, staging or prod. Part of every name and tag."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,11}$", var.environment))
    error_message = "environment must be 2-12 lower-case letters or digits, starting with a letter."
  }
}

variable "name_prefix" {
  description = "Prefix of every resource name; defaults to trust-callbacks-<environment>."
  type        = string
  default     = null
  validation {
    condition     = var.name_prefix == null || can(regex("^[a-z][a-z0-9-]{1,30}$", coalesce(var.name_prefix, "x")))
    error_message = "name_prefix must be 2-31 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "lambda_zip_path" {
  description = "Path of the transform-and-filter zip built by `npm run lambda-build` (.build/lambdas/transform-filter.zip)."
  type        = string
}

variable "source_stream" {
  description = "The platform's Kinesis stream (arn), the KMS key that encrypts it (kms_key_arn) and the key that wraps its field data keys (data_key_kms_key_arn). The environment module requires them unless create_test_source is true."
  type = object({
    arn                  = optional(string)
    kms_key_arn          = optional(string)
    data_key_kms_key_arn = optional(string)
  })
  default = {}
  validation {
    condition     = var.source_stream.arn == null || can(regex("^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:[0-9]{12}:stream/.+$", coalesce(var.source_stream.arn, "x")))
    error_message = "source_stream.arn must be a Kinesis stream ARN (arn:aws:kinesis:<region>:<account>:stream/<name>)."
  }
  validation {
    condition = alltrue([for key in [var.source_stream.kms_key_arn, var.source_stream.data_key_kms_key_arn] :
    key == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", coalesce(key, "x")))])
    error_message = "source_stream.kms_key_arn and data_key_kms_key_arn must be KMS key ARNs (arn:aws:kms:<region>:<account>:key/<id>), not aliases."
  }
}

variable "create_test_source" {
  description = "Test accounts only: create a private stream and data-key key here instead of reading the platform's."
  type        = bool
  default     = false
}

variable "source_stream_shard_count" {
  description = "Shards of the stream created when create_test_source is true."
  type        = number
  default     = 2
  # null (an environment that does not set it): this default.
  nullable = false
  validation {
    condition     = var.source_stream_shard_count >= 1 && var.source_stream_shard_count <= 100
    error_message = "source_stream_shard_count must be from 1 to 100."
  }
}

variable "signing_secret_prefix" {
  description = "Name prefix of every endpoint's signing key, trust-callbacks/<env>/signing/: the Lambda may read secrets under it only. One ARN pattern instead of one ARN per endpoint keeps the policy within IAM's size quota at any number of trusts."
  type        = string
  validation {
    condition     = can(regex("^[A-Za-z0-9/_+=.@-]{3,}/$", var.signing_secret_prefix))
    error_message = "signing_secret_prefix must be a Secrets Manager name prefix ending in /, e.g. trust-callbacks/prod/signing/."
  }
}

variable "secrets_kms_key_arns" {
  description = "Customer-managed KMS keys that encrypt those signing secrets (the Lambda needs kms:Decrypt via Secrets Manager)."
  type        = list(string)
  default     = []
}

variable "event_bus_count" {
  description = "How many callbacks buses to create (trusts are spread across them by the environment module)."
  type        = number
  default     = 1
  validation {
    condition     = var.event_bus_count >= 1 && var.event_bus_count <= 50 && floor(var.event_bus_count) == var.event_bus_count
    error_message = "event_bus_count must be a whole number from 1 to 50."
  }
}

variable "deployment_size" {
  description = "Trusts and endpoints the root deploys: the Lambda's caches are sized from them, so warm batches make no lookup at any scale."
  type = object({
    trusts    = number
    endpoints = number
  })
  default = { trusts = 0, endpoints = 0 }
  validation {
    condition     = var.deployment_size.trusts >= 0 && var.deployment_size.endpoints >= 0
    error_message = "deployment_size counts must be zero or more."
  }
}

variable "pipe" {
  description = "EventBridge Pipe settings for reading the stream."
  type = object({
    batch_size                         = optional(number, 100)
    maximum_batching_window_in_seconds = optional(number, 1)
    maximum_retry_attempts             = optional(number, 10)
    maximum_record_age_in_seconds      = optional(number, 86400)
    parallelization_factor             = optional(number, 1)
    # null: LATEST on the platform's stream (TRIM_HORIZON would resend up to its retention period of old events
    # as live webhooks on the first deploy), TRIM_HORIZON on a stream created here (nothing old in it).
    starting_position           = optional(string)
    starting_position_timestamp = optional(string)
  })
  default = {}
  validation {
    condition     = var.pipe.batch_size >= 1 && var.pipe.batch_size <= 10000
    error_message = "pipe.batch_size must be from 1 to 10000."
  }
  validation {
    condition     = var.pipe.maximum_batching_window_in_seconds >= 0 && var.pipe.maximum_batching_window_in_seconds <= 300
    error_message = "pipe.maximum_batching_window_in_seconds must be from 0 to 300."
  }
  validation {
    condition     = var.pipe.maximum_retry_attempts >= 0 && var.pipe.maximum_retry_attempts <= 10000
    error_message = "pipe.maximum_retry_attempts must be from 0 to 10000 (bounded: a poison record must not stall a shard forever)."
  }
  validation {
    condition     = var.pipe.maximum_record_age_in_seconds >= 60 && var.pipe.maximum_record_age_in_seconds <= 604800
    error_message = "pipe.maximum_record_age_in_seconds must be from 60 to 604800."
  }
  validation {
    condition     = var.pipe.parallelization_factor >= 1 && var.pipe.parallelization_factor <= 10
    error_message = "pipe.parallelization_factor must be from 1 to 10."
  }
  validation {
    condition     = var.pipe.starting_position == null || contains(["TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"], coalesce(var.pipe.starting_position, "LATEST"))
    error_message = "pipe.starting_position must be LATEST, TRIM_HORIZON (resends the stream's whole retention) or AT_TIMESTAMP (with pipe.starting_position_timestamp)."
  }
  validation {
    condition     = (coalesce(var.pipe.starting_position, "LATEST") == "AT_TIMESTAMP") == (var.pipe.starting_position_timestamp != null)
    error_message = "pipe.starting_position_timestamp (RFC 3339) goes with, and only with, pipe.starting_position = \"AT_TIMESTAMP\"."
  }
}

variable "lambda" {
  description = "transform-and-filter Lambda settings."
  type = object({
    memory_mb       = optional(number, 1024)
    timeout_seconds = optional(number, 60)
    # null: unreserved. Lambda refuses a reservation that leaves fewer than 100 unreserved executions in the
    # account, and new accounts start with less concurrency than the usual 1,000 (validation below).
    reserved_concurrency     = optional(number)
    log_level                = optional(string, "info")
    max_put_events_bytes     = optional(number, 262144)
    subscription_ttl_seconds = optional(number, 60)
    # Days a conversation binding counts after conversation.created (README "Conversation bindings").
    binding_ttl_days = optional(number, 30)
    # V8 semi-space (MB); null: memory_mb / 16, at most 64 (64 at the default 1024 MB). See lambda.tf.
    v8_semi_space_mb = optional(number)
  })
  default = {}
  validation {
    condition     = var.lambda.memory_mb >= 128 && var.lambda.memory_mb <= 10240
    error_message = "lambda.memory_mb must be from 128 to 10240."
  }
  validation {
    condition     = var.lambda.timeout_seconds >= 10 && var.lambda.timeout_seconds <= 300
    error_message = "lambda.timeout_seconds must be from 10 to 300 (a Pipe execution is limited to 5 minutes)."
  }
  validation {
    # PutFunctionConcurrency: "at least 100 unreserved concurrent executions" must remain in the account
    # (Lambda API Reference, https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionConcurrency.html).
    condition     = var.lambda.reserved_concurrency == null || try(var.lambda.reserved_concurrency >= 1 && floor(var.lambda.reserved_concurrency) == var.lambda.reserved_concurrency, false)
    error_message = "lambda.reserved_concurrency must be null (unreserved, the default) or a whole number of at least 1. Set it only where the account's concurrent executions quota leaves at least 100 unreserved after it (Lambda quota \"Concurrent executions\"; PutFunctionConcurrency fails otherwise, as in a new account)."
  }
  validation {
    condition     = contains(["debug", "info", "warn", "error"], var.lambda.log_level)
    error_message = "lambda.log_level must be debug, info, warn or error."
  }
  validation {
    condition     = coalesce(var.lambda.v8_semi_space_mb, 1) >= 1 && coalesce(var.lambda.v8_semi_space_mb, 0) * 3 <= var.lambda.memory_mb / 4
    error_message = "lambda.v8_semi_space_mb must be at least 1, and the young generation (3x it) at most a quarter of lambda.memory_mb."
  }
  validation {
    condition     = var.lambda.binding_ttl_days >= 1 && var.lambda.binding_ttl_days <= 365 && floor(var.lambda.binding_ttl_days) == var.lambda.binding_ttl_days
    error_message = "lambda.binding_ttl_days must be a whole number of days from 1 to 365."
  }
  validation {
    # A binding names a document version: the version must outlive it (old versions expire after this many days).
    condition     = var.lambda.binding_ttl_days < var.config_noncurrent_version_days
    error_message = "lambda.binding_ttl_days must be less than config_noncurrent_version_days: a conversation's bound document version must still exist when its binding is read."
  }
  validation {
    # A delivery that exhausts its retries becomes one SQS message in the trust's DLQ, and SQS messages are at most
    # 256 KiB here (provider 5.100 caps max_message_size at 262144). The Lambda also quarantines any single entry
    # too large for a DLQ, so no dead letter can be too large to keep.
    condition     = var.lambda.max_put_events_bytes >= 65536 && var.lambda.max_put_events_bytes <= 262144
    error_message = "lambda.max_put_events_bytes must be from 65536 to 262144: a larger entry could not be kept in a trust's SQS DLQ (256 KiB) when its retries run out."
  }
}

variable "bus_source" {
  description = "PutEvents Source of callbacks; the endpoint rules match on it."
  type        = string
  default     = "trust-callbacks"
}

variable "log_retention_days" {
  description = "Retention of the Lambda's and the Pipe's log groups."
  type        = number
  default     = 90
  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a CloudWatch Logs retention value (e.g. 30, 90, 365)."
  }
}

variable "quarantine_retention_days" {
  description = "Days a quarantined record is kept before S3 expires it."
  type        = number
  default     = 90
  # null (an environment that does not set it): this default.
  nullable = false
  validation {
    condition     = var.quarantine_retention_days >= 14
    error_message = "quarantine_retention_days must be at least 14 so people can act on it."
  }
}

variable "config_noncurrent_version_days" {
  description = "Days an old version of a subscription document (or the index) is kept after it was replaced."
  type        = number
  default     = 90
  # null (an environment that does not set it): this default.
  nullable = false
  validation {
    condition     = var.config_noncurrent_version_days >= 31
    error_message = "config_noncurrent_version_days must be at least 31: conversation bindings name document versions for 30 days."
  }
}

variable "account_quotas" {
  description = "This account's EventBridge quotas in the Region (Service Quotas, Amazon EventBridge): the capacity alarms compare with them. Defaults: eu-west-2."
  type = object({
    target_invocations_per_second = optional(number, 2250)
    put_events_per_second         = optional(number, 1200)
  })
  default = {}
  validation {
    condition     = var.account_quotas.target_invocations_per_second >= 1 && var.account_quotas.put_events_per_second >= 1
    error_message = "account_quotas values must be the quotas granted in Service Quotas (positive numbers)."
  }
}

variable "source_iterator_age_alarm_seconds" {
  description = "Alarm when the Pipe's oldest unread record on the stream is older than this (the pipeline is falling behind)."
  type        = number
  default     = 300
  # null (an environment that does not set it): this default.
  nullable = false
  validation {
    condition     = var.source_iterator_age_alarm_seconds >= 60
    error_message = "source_iterator_age_alarm_seconds must be at least 60."
  }
}

variable "event_bus_logs" {
  description = <<-EOT
    The callbacks buses' own logs (EventBridge event bus logs, 2025): each step of each delivery (rule match,
    invocation attempts with the endpoint's HTTP status, the DLQ), without event detail, to one encrypted log
    group. level: ERROR, INFO or TRACE (OFF: no delivery). Provider 5.100 cannot set the bus's LogConfig (level,
    IncludeDetail NONE): set_level_with_aws_cli = true sets it at apply with the AWS CLI (it needs the CLI and
    credentials where Terraform runs); otherwise run the commands in the output event_bus_log_config_commands once.
  EOT
  type = object({
    level                  = optional(string, "INFO")
    set_level_with_aws_cli = optional(bool, false)
  })
  default = {}
  validation {
    condition     = contains(["OFF", "ERROR", "INFO", "TRACE"], var.event_bus_logs.level)
    error_message = "event_bus_logs.level must be OFF, ERROR, INFO or TRACE."
  }
}

variable "support_signer_zip_path" {
  description = "Path of the support signer zip built by `npm run lambda-build`; null: support-signer.zip beside lambda_zip_path (.build/lambdas/support-signer.zip)."
  type        = string
  default     = null
  validation {
    condition     = var.support_signer_zip_path == null || endswith(coalesce(var.support_signer_zip_path, "x"), ".zip")
    error_message = "support_signer_zip_path must name a .zip file (.build/lambdas/support-signer.zip)."
  }
}

variable "hold_drain_zip_path" {
  description = "Path of the hold-drain zip built by `npm run lambda-build`; null: hold-drain.zip beside lambda_zip_path (.build/lambdas/hold-drain.zip)."
  type        = string
  default     = null
  validation {
    condition     = var.hold_drain_zip_path == null || endswith(coalesce(var.hold_drain_zip_path, "x"), ".zip")
    error_message = "hold_drain_zip_path must name a .zip file (.build/lambdas/hold-drain.zip)."
  }
}

variable "notifier_zip_path" {
  description = "Path of the notifier zip built by `npm run lambda-build`; null: notifier.zip beside lambda_zip_path (.build/lambdas/notifier.zip)."
  type        = string
  default     = null
  validation {
    condition     = var.notifier_zip_path == null || endswith(coalesce(var.notifier_zip_path, "x"), ".zip")
    error_message = "notifier_zip_path must name a .zip file (.build/lambdas/notifier.zip)."
  }
}
