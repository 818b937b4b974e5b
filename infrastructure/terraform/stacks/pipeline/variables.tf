# The pipeline stack's inputs. Each environment is data: environments/<env>/terraform.tfvars (these variables; the
# trusts stack declares the few it shares and ignores the rest), environments/<env>/backend.hcl (state) and
# environments/<env>/trusts/ (one file per trust).
# Objects are typed here without defaults; the pipeline module owns defaults and ranges, so they live in one place.

variable "environment" {
  description = "Environment name (test, staging, prod): selects environments/<environment>/trusts and is part of every name and tag."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,11}$", var.environment))
    error_message = "environment must be 2-12 lower-case letters or digits, starting with a letter."
  }
}

variable "aws_account_id" {
  description = "The only AWS account this environment may deploy to (the provider refuses any other)."
  type        = string
  validation {
    condition     = can(regex("^[0-9]{12}$", var.aws_account_id))
    error_message = "aws_account_id must be a 12-digit AWS account id."
  }
}

variable "region" {
  description = "AWS Region of the deployment."
  type        = string
  default     = "eu-west-2"
  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must be an AWS Region name such as eu-west-2."
  }
}

variable "owner" {
  description = "Owning team, for the Owner tag."
  type        = string
}

variable "trusts_dir" {
  description = "Directory of trust config files; null reads environments/<environment>/trusts. Tests point it at fixtures."
  type        = string
  default     = null
}

variable "source_stream" {
  description = "The platform's Kinesis stream of conversation events and the keys around it (required unless create_test_source is true)."
  type = object({
    arn                  = optional(string)
    kms_key_arn          = optional(string)
    data_key_kms_key_arn = optional(string)
  })
  default = {}
  # A plan without them would create a private stream that nothing writes to: say what to set instead.
  validation {
    condition     = var.create_test_source || (var.source_stream.arn != null && var.source_stream.kms_key_arn != null && var.source_stream.data_key_kms_key_arn != null)
    error_message = "Set source_stream = { arn = <the platform's Kinesis stream ARN>, kms_key_arn = <ARN of the KMS key that encrypts it>, data_key_kms_key_arn = <ARN of the platform's KMS key that wraps field data keys> } in environments/<env>/terraform.tfvars. Only a test account with no platform may set create_test_source = true instead."
  }
  validation {
    condition     = !var.create_test_source || var.source_stream.arn == null
    error_message = "create_test_source = true creates its own stream: remove source_stream, or set create_test_source = false to read the platform's stream."
  }
}

variable "create_test_source" {
  description = "Test accounts only: create a private stream and data-key key here. Nothing of the platform writes to them."
  type        = bool
  default     = false
}

variable "signing_secret_prefix" {
  description = "Every endpoint's signingSecret must start with this, trust-callbacks/<environment>/signing/; the Lambda may read only secrets under it. Required: disjoint from credentials_secret_prefix (modules/pipeline checks it)."
  type        = string
  validation {
    condition     = can(regex("^[A-Za-z0-9/_+=.@-]{3,}/$", var.signing_secret_prefix))
    error_message = "signing_secret_prefix must be a Secrets Manager name prefix ending in /, e.g. trust-callbacks/prod/signing/."
  }
}

variable "secrets_kms_key_arns" {
  description = "Customer-managed KMS keys that encrypt the signing secrets, if any (the Lambda decrypts through Secrets Manager only)."
  type        = list(string)
  default     = []
}

variable "pipe" {
  description = "EventBridge Pipe settings (defaults and ranges: modules/pipeline/variables.tf)."
  type = object({
    batch_size                         = optional(number)
    maximum_batching_window_in_seconds = optional(number)
    maximum_retry_attempts             = optional(number)
    maximum_record_age_in_seconds      = optional(number)
    parallelization_factor             = optional(number)
    starting_position                  = optional(string)
    starting_position_timestamp        = optional(string)
  })
  default = {}
}

variable "lambda" {
  description = "transform-and-filter Lambda settings (defaults and ranges: modules/pipeline/variables.tf)."
  type = object({
    memory_mb                = optional(number)
    timeout_seconds          = optional(number)
    reserved_concurrency     = optional(number)
    log_level                = optional(string)
    max_put_events_bytes     = optional(number)
    subscription_ttl_seconds = optional(number)
    binding_ttl_days         = optional(number)
    v8_semi_space_mb         = optional(number)
  })
  default = {}
}

variable "event_buses" {
  description = <<-EOT
    Callbacks buses. Each trust's rules live on one bus, chosen by a hash of its ODS code: `count` buses of at most
    `rules_per_bus_quota` rules each (EventBridge "Rules per event bus", 300 by default; raise it in Service Quotas
    and set the granted value here). Changing `count` moves trusts between buses: see infrastructure/terraform/README.md.
  EOT
  type = object({
    count               = optional(number, 1)
    rules_per_bus_quota = optional(number, 300)
  })
  default = {}
  validation {
    condition     = var.event_buses.count >= 1 && var.event_buses.count <= 50 && floor(var.event_buses.count) == var.event_buses.count
    error_message = "event_buses.count must be a whole number from 1 to 50 (EventBridge allows 100 event buses per account by default)."
  }
  validation {
    condition     = var.event_buses.rules_per_bus_quota >= 1
    error_message = "event_buses.rules_per_bus_quota must be the rules-per-bus quota of this account (300 unless raised)."
  }
}

variable "log_retention_days" {
  description = "Retention of the Lambda's and the Pipe's logs."
  type        = number
  default     = 90
}

variable "lambda_zip_path" {
  description = "The built Lambda zip; null: .build/lambdas/transform-filter.zip (`make plan` builds it)."
  type        = string
  default     = null
}

variable "account_quotas" {
  description = "This account's quotas in the Region, as granted in Service Quotas (defaults: eu-west-2 defaults). The plan refuses more endpoints than API destinations or connections allow; alarms compare throughput with the rest."
  type = object({
    api_destinations              = optional(number, 3000)
    connections                   = optional(number, 3000)
    target_invocations_per_second = optional(number, 2250)
    put_events_per_second         = optional(number, 1200)
  })
  default = {}
}

variable "credentials_secret_prefix" {
  description = "Every endpoint's credentialsSecret must start with this, trust-callbacks/<environment>/credentials/; connection-sync may read only secrets under it. Required, never the signing prefix: neither may be a prefix of the other (modules/pipeline checks it)."
  type        = string
  validation {
    condition     = can(regex("^[A-Za-z0-9/_+=.@-]{3,}/$", var.credentials_secret_prefix))
    error_message = "credentials_secret_prefix must be a Secrets Manager name prefix ending in /, e.g. trust-callbacks/prod/credentials/."
  }
}

variable "support" {
  description = "Support staff access (defaults and checks: modules/support): viewer_principal_arns and operator_principal_arns, the IAM roles or users that may assume each support role (none by default: no role), require_mfa (true; false only for federated principals whose sign-in enforces MFA), and audit_log_retention_days of the support audit log group (2557)."
  type = object({
    viewer_principal_arns    = optional(list(string))
    operator_principal_arns  = optional(list(string))
    require_mfa              = optional(bool)
    audit_log_retention_days = optional(number)
  })
  default = {}
}

variable "connection_sync" {
  description = "connection-sync settings (defaults and ranges: modules/pipeline/variables.tf): schedule_minutes (60), deauthorized_alarm_evaluations (2), cloudtrail_events (false: set true only where a CloudTrail trail logs management events), timeout_seconds, reserved_concurrency, concurrency, log_level."
  type = object({
    schedule_minutes               = optional(number)
    deauthorized_alarm_evaluations = optional(number)
    cloudtrail_events              = optional(bool)
    timeout_seconds                = optional(number)
    reserved_concurrency           = optional(number)
    concurrency                    = optional(number)
    log_level                      = optional(string)
  })
  default = {}
}

variable "connection_sync_zip_path" {
  description = "The built connection-sync zip; null: .build/lambdas/connection-sync.zip (`make plan` builds it)."
  type        = string
  default     = null
}

variable "event_bus_logs" {
  description = "The callbacks buses' own logs (defaults and checks: modules/pipeline): level (INFO; OFF, ERROR, INFO or TRACE) and set_level_with_aws_cli (false: run the output event_bus_log_config_commands once instead)."
  type = object({
    level                  = optional(string)
    set_level_with_aws_cli = optional(bool)
  })
  default = {}
}

variable "quarantine_retention_days" {
  description = "Days a quarantined record is kept before S3 expires it; null: the module's default (90)."
  type        = number
  default     = null
}

variable "config_noncurrent_version_days" {
  description = "Days an old version of a subscription document or index shard is kept after it was replaced; null: the module's default (90). Keep it longer than lambda.binding_ttl_days."
  type        = number
  default     = null
}

variable "source_iterator_age_alarm_seconds" {
  description = "Alarm when the Pipe's oldest unread record is older than this; null: the module's default (300)."
  type        = number
  default     = null
}

variable "source_stream_shard_count" {
  description = "Test accounts only (create_test_source): shards of the stream created here; null: the module's default (2)."
  type        = number
  default     = null
}
