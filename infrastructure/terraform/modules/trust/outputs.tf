output "trust_id" {
  description = "ODS code of the trust."
  value       = local.trust_id
}

output "event_bus_name" {
  description = "The callbacks bus this trust's rules are on."
  value       = var.event_bus_name
}

output "dlq_arn" {
  description = "ARN of the trust's dead-letter queue."
  value       = aws_sqs_queue.dlq.arn
}

output "dlq_url" {
  description = "URL of the trust's dead-letter queue (what the redrive tool reads)."
  value       = aws_sqs_queue.dlq.id
}

output "dlq_name" {
  description = "Name of the trust's dead-letter queue."
  value       = aws_sqs_queue.dlq.name
}

output "endpoints" {
  description = "Per endpoint id: connection, API destination and rule ARNs (rule_arns: every rule of the endpoint, two while the trust moves to another bus)."
  value = { for id, endpoint in module.endpoint : id => {
    connection_arn      = endpoint.connection_arn
    api_destination_arn = endpoint.api_destination_arn
    rule_arn            = endpoint.rule_arn
    # While the trust moves to another bus, its rule on the bus it leaves too (promise 8.10).
    rule_arns = endpoint.rule_arns
    rule_name = endpoint.rule_name
  } }
}

output "signing_secret_names" {
  description = "Secrets Manager names of the endpoints' signing keys (the Lambda may read these)."
  value       = distinct([for endpoint in var.config.endpoints : endpoint.signingSecret])
}

output "subscription_key" {
  description = "S3 key of the uploaded subscription document."
  value       = aws_s3_object.subscription.key
}

output "alarm_names" {
  description = "Names of the trust's own alarms (its DLQ). Failed deliveries alarm per bus, with each rule a contributor (modules/pipeline/monitoring.tf)."
  value       = [aws_cloudwatch_metric_alarm.dlq_not_empty.alarm_name]
}

output "notices" {
  description = "The trust's notice topic (ARN, name) and the addresses subscribed to it (each must confirm)."
  value = {
    topic_arn  = aws_sns_topic.notices.arn
    topic_name = aws_sns_topic.notices.name
    contacts   = sort(tolist(local.contacts))
  }
}
