variable "name_prefix" {
  description = "Prefix of every resource name of the deployment, e.g. trust-callbacks-prod: every grant stays under it."
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

variable "dead_letters_key_arn" {
  description = "ARN of the key that encrypts the DLQs EventBridge writes to (the operator decrypts it through SQS)."
  type        = string
}

variable "history_log_group_arns" {
  description = "ARNs of the log groups support staff query for call history (the Lambda's and the buses' logs)."
  type        = list(string)
}

variable "audit_log_group_arn" {
  description = "ARN of the support audit log group: both roles may append to it and do nothing else with it."
  type        = string
}

variable "viewer_principal_arns" {
  description = "IAM principals (roles or users) that may assume the viewer role, with MFA."
  type        = list(string)
}

variable "operator_principal_arns" {
  description = "IAM principals (roles or users) that may assume the operator role, with MFA."
  type        = list(string)
}

variable "require_mfa" {
  description = "Whether assuming a support role requires MFA in the caller's session (aws:MultiFactorAuthPresent = true). False only when the principals are federated roles whose identity provider enforces MFA at sign-in."
  type        = bool
  default     = true
}

variable "support_signer_function_arn" {
  description = "ARN of the support signer function (modules/pipeline output support_signer_function_arn): the only function the operator may invoke. null: the operator may invoke none (redrive and replay then fail with AccessDenied)."
  type        = string
  default     = null
  validation {
    condition     = var.support_signer_function_arn == null || can(regex("^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]+$", coalesce(var.support_signer_function_arn, "x")))
    error_message = "support_signer_function_arn must be an unqualified Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>)."
  }
}

variable "source_stream" {
  description = "The source Kinesis stream (arn) and its key (kms_key_arn) the operator reads for replay: ciphertext fields only (no field data-key key). null: no stream access."
  type = object({
    arn         = string
    kms_key_arn = string
  })
  default = null
}

variable "holds" {
  description = "The holds table (modules/pipeline output holds) and the key that encrypts it: the viewer reads hold states; the operator also writes them (hold, resume). null: the table is not granted."
  type = object({
    table_arn      = string
    tables_key_arn = string
  })
  default = null
}
