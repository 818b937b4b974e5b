output "connection_arn" {
  description = "ARN of the endpoint's EventBridge connection."
  value       = aws_cloudwatch_event_connection.this.arn
}

output "api_destination_arn" {
  description = "ARN of the endpoint's API destination (the rule target; TARGET_ARN in its DLQ messages)."
  value       = aws_cloudwatch_event_api_destination.this.arn
}

output "rule_arn" {
  description = "ARN of the rule routing this endpoint's events (RULE_ARN in its DLQ messages)."
  value       = aws_cloudwatch_event_rule.this.arn
}

output "rule_arns" {
  description = "ARNs of every rule of this endpoint: its own bus's, then, while its trust moves to another bus, the one on the bus it leaves (what its DLQ's policy lets send)."
  value       = concat([aws_cloudwatch_event_rule.this.arn], aws_cloudwatch_event_rule.previous[*].arn)
}

output "rule_name" {
  description = "Name of that rule."
  value       = aws_cloudwatch_event_rule.this.name
}

output "event_pattern" {
  description = "The rule's event pattern, as JSON."
  value       = aws_cloudwatch_event_rule.this.event_pattern
}

output "connection_name" {
  description = "Name of the endpoint's connection (what a connection-sync \"sync\" request names)."
  value       = aws_cloudwatch_event_connection.this.name
}

output "hold_store" {
  description = "The endpoint's hold store (name, ARN, URL) and its alarms' names (store age; dead letters, which the notifier hears)."
  value = {
    name              = aws_sqs_queue.hold.name
    arn               = aws_sqs_queue.hold.arn
    url               = aws_sqs_queue.hold.url
    age_alarm         = aws_cloudwatch_metric_alarm.hold_age.alarm_name
    dead_letter_alarm = aws_cloudwatch_metric_alarm.dead_letters.alarm_name
  }
}
