variable "queue_arn" {
  description = "ARN of the dead-letter queue."
  type        = string
}

variable "sender_arns" {
  description = "ARNs of the only EventBridge resources that may send to it: a trust's endpoint rules, or the callbacks buses."
  type        = list(string)
}
