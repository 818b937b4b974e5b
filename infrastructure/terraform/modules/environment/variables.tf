variable "environment" {
  description = "Environment name: test, staging or prod."
  type        = string
}

variable "trusts_dir" {
  description = "Directory of trust config files, one <ODS code>.json per trust (validated by `make validate-trusts`)."
  type        = string
}

variable "lambda_zip_path" {
  description = "Path of the transform-and-filter zip (.build/lambdas/transform-filter.zip)."
  type        = string
}

variable "source_stream_arn" {
  description = "The platform's Kinesis stream ARN; null creates one (test environments)."
  type        = string
  default     = null
}

variable "source_stream_kms_key_arn" {
  description = "KMS key of an existing source stream."
  type        = string
  default     = null
}

variable "data_key_kms_key_arn" {
  description = "The platform's KMS key that wraps field data keys; null creates one (test environments)."
  type        = string
  default     = null
}

variable "secrets_kms_key_arns" {
  description = "KMS keys encrypting the signing secrets, if customer-managed."
  type        = list(string)
  default     = []
}

variable "pipe" {
  description = "Pipe settings (see the pipeline module)."
  type        = any
  default     = {}
}

variable "lambda" {
  description = "Lambda settings (see the pipeline module)."
  type        = any
  default     = {}
}

variable "log_retention_days" {
  description = "Retention of log groups."
  type        = number
  default     = 90
}
