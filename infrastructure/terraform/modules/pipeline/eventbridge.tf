# The callbacks buses. Each trust's rules live on one of them (the environment module chooses, by a hash of the
# ODS code), so no bus meets EventBridge's "Rules per event bus" quota (300 by default).
resource "aws_cloudwatch_event_bus" "callbacks" {
  count              = var.event_bus_count
  name               = local.event_bus_names[count.index]
  kms_key_identifier = aws_kms_key.main.arn

  # EventBridge User Guide, "Encrypting events with customer managed keys": with a customer managed key, AWS
  # strongly recommends a DLQ on the bus for events it cannot encrypt, decrypt or deliver.
  dead_letter_config {
    arn = aws_sqs_queue.bus_dlq.arn
  }
}

# The role EventBridge assumes to call every endpoint's API destination: one for the deployment (one pattern,
# the same size at any number of endpoints), not one per trust (IAM allows 1,000 roles per account by default).
resource "aws_iam_role" "api_destinations" {
  name               = "${local.name}-api-destinations"
  assume_role_policy = module.policies.api_destinations_trust_policy
}

resource "aws_iam_role_policy" "api_destinations" {
  name   = "invoke-api-destinations"
  role   = aws_iam_role.api_destinations.name
  policy = module.policies.api_destinations_role_policy
}

# The buses' own logs: EventBridge User Guide, "Configuring logs for Amazon EventBridge event buses"
# (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus-logs.html) and "Amazon EventBridge event bus
# log schema" (eb-event-logs-schema.html): one record per processing step with the event id (the PutEvents EventId the
# Lambda logs as busEventId), message types such as INVOCATION_ATTEMPT_RETRYABLE_FAILURE and INVOCATION_DLQ, and
# error.http_status_code. Delivered as vended logs (delivery source per bus, log types ERROR_LOGS / INFO_LOGS /
# TRACE_LOGS; one destination, the log group below). When the log group has no resource policy, CloudWatch Logs adds
# the one the delivery needs (CloudWatch Logs User Guide, "Logs sent to CloudWatch Logs":
# https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-V2-CloudWatchLogs.html).
locals {
  bus_logs_enabled = var.event_bus_logs.level != "OFF"
  # The bus's LogConfig: the level, and IncludeDetail NONE so no event detail (which holds the signed webhook, for
  # full-profile endpoints clinical content) is ever logged. EventBridge API Reference, "LogConfig".
  bus_log_config_commands = [
    for name in local.event_bus_names :
    "aws events update-event-bus --region ${local.region} --name ${name} --log-config Level=${var.event_bus_logs.level},IncludeDetail=NONE"
  ]
}

resource "aws_cloudwatch_log_group" "bus" {
  # The /aws/vendedlogs/ prefix is where AWS services' vended logs go (CloudWatch Logs User Guide, same page).
  name              = "/aws/vendedlogs/events/${local.name}-callbacks"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.main.arn
}

resource "aws_cloudwatch_log_delivery_source" "bus" {
  count        = local.bus_logs_enabled ? var.event_bus_count : 0
  name         = local.event_bus_names[count.index]
  log_type     = "${var.event_bus_logs.level}_LOGS"
  resource_arn = aws_cloudwatch_event_bus.callbacks[count.index].arn
}

resource "aws_cloudwatch_log_delivery_destination" "bus" {
  count         = local.bus_logs_enabled ? 1 : 0
  name          = "${local.name}-bus-logs"
  output_format = "json"
  delivery_destination_configuration {
    destination_resource_arn = aws_cloudwatch_log_group.bus.arn
  }
}

resource "aws_cloudwatch_log_delivery" "bus" {
  count                    = local.bus_logs_enabled ? var.event_bus_count : 0
  delivery_source_name     = aws_cloudwatch_log_delivery_source.bus[count.index].name
  delivery_destination_arn = aws_cloudwatch_log_delivery_destination.bus[0].arn
}

# Provider 5.100 has no log_config on aws_cloudwatch_event_bus (it arrived in 6.6): the level is set with the AWS CLI
# where asked to (see var.event_bus_logs), and re-set when the bus or the level changes. With provider >= 6.6, move it
# to the bus's log_config { level, include_detail = "NONE" } and drop this.
resource "terraform_data" "bus_log_config" {
  count            = var.event_bus_logs.set_level_with_aws_cli ? var.event_bus_count : 0
  triggers_replace = [aws_cloudwatch_event_bus.callbacks[count.index].arn, var.event_bus_logs.level]

  provisioner "local-exec" {
    command = local.bus_log_config_commands[count.index]
  }
}
