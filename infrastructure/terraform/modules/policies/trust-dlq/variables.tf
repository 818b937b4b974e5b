variable "queue_arn" {
  description = "ARN of the trust's dead-letter queue."
  type        = string
}

variable "rule_arns" {
  description = "ARNs of the trust's endpoint rules: the only senders the queue accepts."
  type        = list(string)
}
