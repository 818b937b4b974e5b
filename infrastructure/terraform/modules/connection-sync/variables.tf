variable "name_prefix" {
  description = "Prefix of every resource name of the deployment (modules/pipeline output name_prefix), e.g. trust-callbacks-prod. Connections are named <name_prefix>-<ODS>-<endpoint id>; the function syncs only those."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name_prefix))
    error_message = "name_prefix must be 2-31 lower-case letters, digits or hyphens, starting with a letter (as modules/pipeline makes it)."
  }
}

variable "environment" {
  description = "Environment name: test, staging or prod. Part of every name and tag."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,11}$", var.environment))
    error_message = "environment must be 2-12 lower-case letters or digits, starting with a letter."
  }
}

variable "kms_key_arn" {
  description = "ARN of the deployment's data-at-rest key (modules/pipeline output kms_key_arn): encrypts the function's environment and log group and the credentials map object. Its key policy lets CloudWatch Logs use it."
  type        = string
  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), not an alias."
  }
}

variable "connections_kms_key_arn" {
  description = "ARN of the key that encrypts the connections' credentials (modules/pipeline output connections_kms_key_arn): sent on every UpdateConnection so EventBridge keeps the connection on it."
  type        = string
  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.connections_kms_key_arn))
    error_message = "connections_kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), not an alias."
  }
}

variable "config_bucket" {
  description = "Name of the deployment's config bucket (modules/pipeline output config_bucket): holds the connection credentials map the function reads."
  type        = string
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.config_bucket))
    error_message = "config_bucket must be an S3 bucket name."
  }
}

variable "lambda_trust_policy" {
  description = "Trust policy (JSON) of the function's role: Lambda, from this account (modules/pipeline output lambda_trust_policy, the transform function's own)."
  type        = string
  validation {
    condition     = can(jsondecode(var.lambda_trust_policy).Statement)
    error_message = "lambda_trust_policy must be an IAM policy document (JSON with a Statement)."
  }
}

variable "alarm_topic_arn" {
  description = "ARN of the SNS topic the alarms notify (modules/pipeline output alarm_topic_arn)."
  type        = string
  validation {
    condition     = can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:.+$", var.alarm_topic_arn))
    error_message = "alarm_topic_arn must be an SNS topic ARN."
  }
}

variable "zip_path" {
  description = "Path of the connection-sync zip built by `npm run lambda-build` (.build/lambdas/connection-sync.zip)."
  type        = string
}

variable "signing_secret_prefix" {
  description = "Name prefix of the signing keys (trust-callbacks/<env>/signing/), given only so credentials_secret_prefix can be checked disjoint from it: connection-sync never reads a signing key."
  type        = string
  validation {
    condition     = can(regex("^[A-Za-z0-9/_+=.@-]{3,}/$", var.signing_secret_prefix))
    error_message = "signing_secret_prefix must be a Secrets Manager name prefix ending in /, e.g. trust-callbacks/prod/signing/."
  }
}

variable "credentials_secret_prefix" {
  description = "Name prefix of every endpoint's credentials secret, trust-callbacks/<env>/credentials/: connection-sync may read secrets under it only. Required, and disjoint from signing_secret_prefix (neither a prefix of the other), so the Lambda never reads a credential and connection-sync never a signing key."
  type        = string
  validation {
    condition     = can(regex("^[A-Za-z0-9/_+=.@-]{3,}/$", var.credentials_secret_prefix))
    error_message = "credentials_secret_prefix must be a Secrets Manager name prefix ending in /, e.g. trust-callbacks/prod/credentials/."
  }
  # Cross-variable validation (Terraform >= 1.9): one IAM pattern must never match both kinds of secret.
  # (A null prefix is refused above; try() keeps this check from erroring on it.)
  validation {
    condition     = try(!startswith(var.credentials_secret_prefix, var.signing_secret_prefix) && !startswith(var.signing_secret_prefix, var.credentials_secret_prefix), true)
    error_message = "credentials_secret_prefix (${coalesce(var.credentials_secret_prefix, "null")}) and signing_secret_prefix (${coalesce(var.signing_secret_prefix, "null")}) must not be prefixes of one another: use trust-callbacks/<env>/credentials/ and trust-callbacks/<env>/signing/."
  }
}

variable "secrets_kms_key_arns" {
  description = "Customer-managed KMS keys that encrypt the credentials secrets (the function needs kms:Decrypt via Secrets Manager)."
  type        = list(string)
  default     = []
}

variable "log_retention_days" {
  description = "Retention of the function's log group."
  type        = number
  default     = 90
  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a CloudWatch Logs retention value (e.g. 30, 90, 365)."
  }
}

variable "endpoint_credentials" {
  description = "Per endpoint, keyed \"<ODS>/<endpoint id>\": the trust file's credentialsSecret (a name) and auth type. Written to the connection credentials map that connection-sync reads; names only, never a value."
  type = map(object({
    credentials_secret = string
    auth               = string
    # The trust file's non-secret authorization parameters: connection-sync puts them on the connection.
    token_url   = optional(string)
    scopes      = optional(list(string))
    header_name = optional(string)
  }))
  default = {}
  validation {
    condition     = alltrue([for entry in values(var.endpoint_credentials) : contains(["oauth2_client_credentials", "basic", "api_key"], entry.auth)])
    error_message = "endpoint_credentials auth must be oauth2_client_credentials, basic or api_key."
  }
}

variable "settings" {
  description = "connection-sync settings: how often it reconciles every connection, after how many reconciles a connection still DEAUTHORIZED alarms, and whether CloudTrail's records of secret changes (only with a trail) trigger it too."
  type = object({
    schedule_minutes               = optional(number, 60)
    deauthorized_alarm_evaluations = optional(number, 2)
    cloudtrail_events              = optional(bool, false)
    timeout_seconds                = optional(number, 300)
    reserved_concurrency           = optional(number) # null: unreserved (see var.lambda)
    concurrency                    = optional(number, 4)
    log_level                      = optional(string, "info")
  })
  default = {}
  validation {
    condition     = var.settings.schedule_minutes >= 5 && var.settings.schedule_minutes <= 720 && floor(var.settings.schedule_minutes) == var.settings.schedule_minutes
    error_message = "settings.schedule_minutes must be a whole number from 5 to 720."
  }
  validation {
    # CloudWatch: evaluation periods times period at most one day.
    condition     = var.settings.deauthorized_alarm_evaluations >= 1 && var.settings.deauthorized_alarm_evaluations * var.settings.schedule_minutes <= 1440
    error_message = "settings.deauthorized_alarm_evaluations must be at least 1, and times schedule_minutes at most 1440 (CloudWatch evaluates at most a day)."
  }
  validation {
    condition     = var.settings.timeout_seconds >= 30 && var.settings.timeout_seconds <= 900
    error_message = "settings.timeout_seconds must be from 30 to 900."
  }
  validation {
    condition     = var.settings.reserved_concurrency == null || try(var.settings.reserved_concurrency >= 1 && floor(var.settings.reserved_concurrency) == var.settings.reserved_concurrency, false)
    error_message = "settings.reserved_concurrency must be null (unreserved, the default) or a whole number of at least 1. Set it only where the account's concurrent executions quota leaves at least 100 unreserved after it (Lambda quota \"Concurrent executions\"; PutFunctionConcurrency fails otherwise, as in a new account)."
  }
  validation {
    condition     = var.settings.concurrency >= 1 && var.settings.concurrency <= 20
    error_message = "settings.concurrency must be from 1 to 20 (EventBridge's control plane is throttled per account)."
  }
  validation {
    condition     = contains(["debug", "info", "warn", "error"], var.settings.log_level)
    error_message = "settings.log_level must be debug, info, warn or error."
  }
}
