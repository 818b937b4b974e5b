locals {
  trust_id = var.config.trustId
  name     = "${var.name_prefix}-${local.trust_id}"
  # Keyed by endpoint id: adding an endpoint never renames or recreates the others.
  endpoints = { for endpoint in var.config.endpoints : endpoint.id => endpoint }
}

# One DLQ per trust, shared by its endpoints. Each message carries RULE_ARN and TARGET_ARN and the
# original event (whose detail names the endpoint), so a redrive reaches exactly the endpoint that failed.
resource "aws_sqs_queue" "dlq" {
  name                      = "${local.name}-dlq"
  message_retention_seconds = var.dlq_message_retention_seconds
  # 256 KiB, the most provider 5.100 accepts; the Lambda quarantines any delivery too large to be kept here.
  max_message_size  = 262144
  kms_master_key_id = var.dlq_kms_key_arn
  tags              = { TrustId = local.trust_id, Purpose = "callback-dlq" }
}

module "dlq_policy" {
  source    = "../policies/eventbridge-dlq"
  queue_arn = aws_sqs_queue.dlq.arn
  # Every rule of every endpoint: while the trust moves to another bus, the rules on the bus it leaves too (8.10).
  sender_arns = flatten([for endpoint in module.endpoint : endpoint.rule_arns])
}

resource "aws_sqs_queue_policy" "dlq" {
  queue_url = aws_sqs_queue.dlq.id
  policy    = module.dlq_policy.queue_policy
}

module "endpoint" {
  source   = "../trust-endpoint"
  for_each = local.endpoints

  name_prefix             = var.name_prefix
  trust_id                = local.trust_id
  trust_enabled           = var.config.enabled
  endpoint                = each.value
  event_bus_name          = var.event_bus_name
  previous_event_bus_name = var.previous_event_bus_name
  bus_source              = var.bus_source
  dead_letter_queue_arn   = aws_sqs_queue.dlq.arn
  invocation_role_arn     = var.invocation_role_arn
  connection_kms_key_arn  = var.connection_kms_key_arn
  alarm_actions           = var.alarm_actions

  connection_sync_function_name = var.connection_sync_function_name
  hold_store_kms_key_arn        = var.hold_store_kms_key_arn
}

# The Lambda filters with exactly the file that was deployed.
resource "aws_s3_object" "subscription" {
  bucket                 = var.config_bucket
  key                    = "${var.subscriptions_prefix}${local.trust_id}.json"
  content                = var.subscription_document
  content_type           = "application/json"
  server_side_encryption = "aws:kms"
  kms_key_id             = var.kms_key_arn
  tags                   = { TrustId = local.trust_id }
}

resource "aws_cloudwatch_metric_alarm" "dlq_not_empty" {
  alarm_name          = "${local.name}-dlq-not-empty"
  alarm_description   = "Callbacks to ${local.trust_id} exhausted their retries and wait in ${aws_sqs_queue.dlq.name}. Runbook: README.md#runbook-from-alarm-to-redrive"
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.dlq.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
}
