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

variable "source_stream_arn" {
  description = "ARN of the platform's existing Kinesis stream of conversation events; null creates a stream here."
  type        = string
  default     = null
  validation {
    condition     = var.source_stream_arn == null || can(regex("^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:[0-9]{12}:stream/.+$", coalesce(var.source_stream_arn, "x")))
    error_message = "source_stream_arn must be a Kinesis stream ARN."
  }
}

variable "source_stream_kms_key_arn" {
  description = "KMS key encrypting an existing source stream (the Pipe needs kms:Decrypt on it); ignored when the stream is created here."
  type        = string
  default     = null
}

variable "source_stream_shard_count" {
  description = "Shards of the stream created here (when source_stream_arn is null)."
  type        = number
  default     = 2
  validation {
    condition     = var.source_stream_shard_count >= 1 && var.source_stream_shard_count <= 100
    error_message = "source_stream_shard_count must be from 1 to 100."
  }
}

variable "data_key_kms_key_arn" {
  description = "The platform's KMS key that wraps the field data keys; null creates one here (test environments)."
  type        = string
  default     = null
  validation {
    condition     = var.data_key_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", coalesce(var.data_key_kms_key_arn, "x")))
    error_message = "data_key_kms_key_arn must be a KMS key ARN (not an alias)."
  }
}

variable "signing_secret_names" {
  description = "Secrets Manager names of every endpoint's signing key; the Lambda may read exactly these."
  type        = list(string)
  default     = []
}

variable "secrets_kms_key_arns" {
  description = "Customer-managed KMS keys that encrypt those signing secrets (the Lambda needs kms:Decrypt via Secrets Manager)."
  type        = list(string)
  default     = []
}

variable "pipe" {
  description = "EventBridge Pipe settings for reading the stream."
  type = object({
    batch_size                         = optional(number, 100)
    maximum_batching_window_in_seconds = optional(number, 1)
    maximum_retry_attempts             = optional(number, 10)
    maximum_record_age_in_seconds      = optional(number, 86400)
    parallelization_factor             = optional(number, 1)
    starting_position                  = optional(string, "TRIM_HORIZON")
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
    condition     = contains(["TRIM_HORIZON", "LATEST"], var.pipe.starting_position)
    error_message = "pipe.starting_position must be TRIM_HORIZON or LATEST."
  }
}

variable "lambda" {
  description = "transform-and-filter Lambda settings."
  type = object({
    memory_mb                = optional(number, 1024)
    timeout_seconds          = optional(number, 60)
    reserved_concurrency     = optional(number, -1)
    log_level                = optional(string, "info")
    max_put_events_bytes     = optional(number, 262144)
    subscription_ttl_seconds = optional(number, 60)
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
    condition     = var.lambda.reserved_concurrency == -1 || var.lambda.reserved_concurrency >= 1
    error_message = "lambda.reserved_concurrency must be -1 (unreserved) or at least 1."
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
    condition     = var.lambda.max_put_events_bytes >= 65536 && var.lambda.max_put_events_bytes <= 1048576
    error_message = "lambda.max_put_events_bytes must be from 65536 to 1048576 (EventBridge's PutEvents request cap in your Region)."
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
  validation {
    condition     = var.quarantine_retention_days >= 14
    error_message = "quarantine_retention_days must be at least 14 so people can act on it."
  }
}

variable "trust_dlq_names" {
  description = "Names of the trusts' DLQs, for the dashboard."
  type        = list(string)
  default     = []
}
