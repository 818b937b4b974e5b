output "name_prefix" {
  description = "Prefix of every resource name."
  value       = local.name
}

output "event_bus_names" {
  description = "Names of the callbacks buses, by index."
  value       = aws_cloudwatch_event_bus.callbacks[*].name
}

output "event_bus_arns" {
  description = "ARNs of the callbacks buses, by index."
  value       = aws_cloudwatch_event_bus.callbacks[*].arn
}

output "api_destinations_role_arn" {
  description = "Role EventBridge assumes to invoke every endpoint's API destination."
  value       = aws_iam_role.api_destinations.arn
}

output "bus_dlq_url" {
  description = "URL of the callbacks buses' own dead-letter queue."
  value       = aws_sqs_queue.bus_dlq.id
}

output "bus_source" {
  description = "PutEvents Source of callbacks."
  value       = var.bus_source
}

output "config_bucket" {
  description = "Bucket of the subscription documents."
  value       = aws_s3_bucket.this["config"].bucket
}

output "subscription_index_keys" {
  description = "Key of each callbacks bus's subscription index shard, by bus index: the trusts stack of bus i writes the i-th; the Lambda reads them all."
  value       = local.subscription_index_keys
}

output "index_timing" {
  description = "How long a transform-filter container may still publish by an index shard after it changed: its TTL (jittered up to +20%), its stale bound and the function's timeout (`make apply` waits this out between the rounds of a bus move, promise 8.10)."
  value = {
    subscription_ttl_seconds             = var.lambda.subscription_ttl_seconds
    subscription_index_max_stale_seconds = local.subscription_index_max_stale_seconds
    lambda_timeout_seconds               = var.lambda.timeout_seconds
  }
}

output "subscriptions_prefix" {
  description = "Key prefix of the subscription documents."
  value       = local.subscriptions_prefix
}

output "quarantine_bucket" {
  description = "Bucket of quarantined records."
  value       = aws_s3_bucket.this["quarantine"].bucket
}

output "kms_key_arn" {
  description = "Customer-managed key for data at rest."
  value       = aws_kms_key.main.arn
}

output "dead_letters_kms_key_arn" {
  description = "Customer-managed key of the DLQs EventBridge writes to (support staff need kms:Decrypt on it to read dead letters)."
  value       = aws_kms_key.dead_letters.arn
}

output "connections_kms_key_arn" {
  description = "Customer-managed key for connection secrets."
  value       = aws_kms_key.connections.arn
}

output "data_key_kms_key_arn" {
  description = "Key that wraps the field data keys."
  value       = local.data_key_kms_key_arn
}

output "source_stream_arn" {
  description = "The Kinesis stream the Pipe reads."
  value       = local.source_stream_arn
}

output "lambda_function_name" {
  description = "Name of the transform-and-filter Lambda."
  value       = aws_lambda_function.transform_filter.function_name
}

output "lambda_role_policy" {
  description = "The Lambda's IAM policy document (JSON), for review."
  value       = aws_iam_role_policy.lambda.policy
}

output "starting_position" {
  description = "Where the Pipe started reading the stream."
  value       = local.starting_position
}

output "pipe_arn" {
  description = "ARN of the Pipe."
  value       = aws_pipes_pipe.source.arn
}

output "pipe_dlq_url" {
  description = "URL of the Pipe's dead-letter queue."
  value       = aws_sqs_queue.pipe_dlq.id
}

output "alarm_topic_arn" {
  description = "SNS topic of every alarm; subscribe the on-call rota to it."
  value       = aws_sns_topic.alarms.arn
}

output "bus_log_group_name" {
  description = "Log group of the callbacks buses' logs (invocation attempts per event): the history command reads it."
  value       = aws_cloudwatch_log_group.bus.name
}

output "bus_logs" {
  description = "What each bus part needs to deliver its bus's logs (modules/bus-logs): the level, the one delivery destination and every bus's ARN by index; null when the level is OFF."
  value = local.bus_logs_enabled ? {
    level                    = var.event_bus_logs.level
    delivery_destination_arn = aws_cloudwatch_log_delivery_destination.bus[0].arn
    event_bus_arns           = aws_cloudwatch_event_bus.callbacks[*].arn
  } : null
}

output "event_bus_log_config_commands" {
  description = "Provider 5.100 cannot set a bus's log level: run these once after apply unless event_bus_logs.set_level_with_aws_cli is true. Each is the whole UpdateEventBus request (key, DLQ, level), so it keeps the bus's key and DLQ."
  value       = var.event_bus_logs.set_level_with_aws_cli ? [] : local.bus_log_config_commands
}

output "bindings_table_name" {
  description = "The conversation bindings table."
  value       = aws_dynamodb_table.bindings.name
}

output "lambda_trust_policy" {
  description = "Trust policy (JSON) of the transform function's role: Lambda, from this account. modules/connection-sync gives its role the same."
  value       = module.policies.lambda_trust_policy
}

# Holds and notices (holds.tf; issue #25).

output "holds" {
  description = "Holds: the holds table (name, ARN), the key that encrypts every hold store (key_arn: modules/trust-endpoint's hold_store_kms_key_arn), the base of every hold store's URL, and the drain function's name."
  value = {
    table_name          = aws_dynamodb_table.holds.name
    table_arn           = aws_dynamodb_table.holds.arn
    key_arn             = aws_kms_key.holds.arn
    queue_url_base      = local.hold_queue_url_base
    drain_function_name = aws_lambda_function.hold_drain.function_name
  }
}

output "notices" {
  description = "Trust notices: the notices table (name, ARN), the key that encrypts every trust topic (key_arn: modules/trust's notices_kms_key_arn), the trust topics' ARN prefix, and the notifier function's name and role (the only publisher each trust topic's policy names)."
  value = {
    table_name             = aws_dynamodb_table.notices.name
    table_arn              = aws_dynamodb_table.notices.arn
    key_arn                = aws_kms_key.notices.arn
    topic_arn_prefix       = local.notice_topic_arn_prefix
    notifier_function_name = aws_lambda_function.notifier.function_name
    notifier_role_arn      = aws_iam_role.notifier.arn
  }
}
