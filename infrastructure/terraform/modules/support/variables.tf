variable "name_prefix" {
  description = "Prefix of every resource name of the deployment (modules/pipeline output name_prefix), e.g. trust-callbacks-prod."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name_prefix))
    error_message = "name_prefix must be 2-31 lower-case letters, digits or hyphens, starting with a letter (as modules/pipeline makes it)."
  }
}

variable "kms_key_arn" {
  description = "ARN of the deployment's data-at-rest key (modules/pipeline output kms_key_arn): encrypts the audit log group (its key policy lets CloudWatch Logs use it for /<name_prefix>/* groups) and the holds and notices tables."
  type        = string
  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), not an alias."
  }
}

variable "dead_letters_kms_key_arn" {
  description = "ARN of the key that encrypts the DLQs EventBridge writes to (modules/pipeline output dead_letters_kms_key_arn): the operator decrypts it through SQS."
  type        = string
  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.dead_letters_kms_key_arn))
    error_message = "dead_letters_kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), not an alias."
  }
}

variable "history_log_group_names" {
  description = "Names of the log groups support staff query for call history: the transform Lambda's and the callbacks buses'."
  type        = list(string)
  validation {
    condition     = length(var.history_log_group_names) >= 1 && alltrue([for name in var.history_log_group_names : can(regex("^[A-Za-z0-9_./#-]{1,512}$", name))])
    error_message = "history_log_group_names must list at least one CloudWatch Logs group name."
  }
}

variable "support" {
  description = <<-EOT
    Support staff access. viewer_principal_arns / operator_principal_arns: IAM roles or users (full ARNs, at most 10
    each, e.g. the IAM Identity Center roles of the support team) that may assume the viewer / operator role, with MFA
    only; an empty list creates no role. require_mfa (true): the roles' trust policies require
    aws:MultiFactorAuthPresent; set false only for federated principals (IAM Identity Center) whose sign-in enforces
    MFA. audit_log_retention_days: how long the support audit log keeps its records (a CloudWatch Logs retention value).
  EOT
  type = object({
    viewer_principal_arns    = optional(list(string), [])
    operator_principal_arns  = optional(list(string), [])
    require_mfa              = optional(bool, true)
    audit_log_retention_days = optional(number, 2557)
  })
  default = {}
  validation {
    condition = alltrue([for arn in concat(var.support.viewer_principal_arns, var.support.operator_principal_arns) :
    can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/[A-Za-z0-9+=,.@_/-]{1,512}$", arn))])
    error_message = "support principal ARNs must be IAM role or user ARNs (arn:aws:iam::<account>:role/<name> or :user/<name>); an account root or a wildcard would let anyone in that account assume the role."
  }
  validation {
    condition     = length(var.support.viewer_principal_arns) <= 10 && length(var.support.operator_principal_arns) <= 10
    error_message = "at most 10 principals per support role (a role trust policy is at most 2,048 characters by default: IAM and STS quotas); grant a group role instead."
  }
  validation {
    # CloudWatch Logs API Reference, PutRetentionPolicy: the accepted values
    # (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html).
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.support.audit_log_retention_days)
    error_message = "support.audit_log_retention_days must be a CloudWatch Logs retention value: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "support_signer_function_arn" {
  description = "ARN of the support signer function (modules/pipeline output support_signer_function_arn), which the operator may invoke for redrive and replay. null: the operator may invoke none."
  type        = string
  default     = null
  validation {
    condition     = var.support_signer_function_arn == null || can(regex("^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]+$", coalesce(var.support_signer_function_arn, "x")))
    error_message = "support_signer_function_arn must be an unqualified Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>): modules/pipeline's support_signer_function_arn output."
  }
}

variable "source_stream" {
  description = "The source Kinesis stream the operator reads for replay: arn (modules/pipeline source_stream_arn) and kms_key_arn (source_stream_kms_key_arn). null: no stream access."
  type = object({
    arn         = string
    kms_key_arn = string
  })
  default = null
}

variable "holds" {
  description = "The holds table (modules/pipeline output holds.table_arn), encrypted with kms_key_arn: the viewer reads hold states, the operator writes them (hold, resume). null: the table is not granted."
  type = object({
    table_arn = string
  })
  default = null
}
