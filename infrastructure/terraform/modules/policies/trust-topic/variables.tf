variable "partition" {
  description = "AWS partition, e.g. aws."
  type        = string
}

variable "account_id" {
  description = "The deployment's AWS account id."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id is the 12-digit AWS account id."
  }
}

variable "topic_arn" {
  description = "ARN of the trust's notice topic (<prefix>-<ODS>-notices)."
  type        = string
}

variable "notifier_role_arn" {
  description = "ARN of the notifier function's role (modules/pipeline output notices.notifier_role_arn): the only publisher."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/", var.notifier_role_arn))
    error_message = "notifier_role_arn must be an IAM role ARN."
  }
}
