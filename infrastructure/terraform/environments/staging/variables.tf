variable "environment" {
  description = "Environment name, used in every resource name and tag."
  type        = string
}

variable "aws_account_id" {
  description = "The only AWS account this root may deploy to."
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
}

variable "owner" {
  description = "Owning team, for the Owner tag."
  type        = string
}

variable "source_stream_arn" {
  description = "The platform's Kinesis stream of conversation events; null creates one."
  type        = string
  default     = null
}

variable "source_stream_kms_key_arn" {
  description = "KMS key of the platform's stream."
  type        = string
  default     = null
}

variable "data_key_kms_key_arn" {
  description = "The platform's KMS key that wraps field data keys; null creates one."
  type        = string
  default     = null
}

variable "secrets_kms_key_arns" {
  description = "KMS keys encrypting the endpoints' signing secrets, if customer-managed."
  type        = list(string)
  default     = []
}

variable "pipe" {
  description = "Pipe settings: batch_size, maximum_batching_window_in_seconds, maximum_retry_attempts, maximum_record_age_in_seconds, parallelization_factor, starting_position."
  type        = any
  default     = {}
}

variable "lambda" {
  description = "Lambda settings: memory_mb, timeout_seconds, reserved_concurrency, log_level, max_put_events_bytes, subscription_ttl_seconds, v8_semi_space_mb."
  type        = any
  default     = {}
}

variable "log_retention_days" {
  description = "Retention of the Lambda's and the Pipe's logs."
  type        = number
  default     = 90
}

variable "lambda_zip_path" {
  description = "The built Lambda zip; `make plan` builds it."
  type        = string
  default     = null
}
