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
# error.http_status_code. Delivered as vended logs to one destination, the log group below. When the log group has no
# resource policy, CloudWatch Logs adds the one the delivery needs (CloudWatch Logs User Guide, "Logs sent to
# CloudWatch Logs": https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-V2-CloudWatchLogs.html).
# The delivery sources and deliveries of bus i are made in bus part bus-<i> (modules/bus-logs, from output bus_logs):
# the parts apply one after another, so no two deliveries are ever created against the destination at once
# (ConflictException, not retried by provider 5.x: hashicorp/terraform-provider-aws #42194, #42947).
# A bus on a customer managed key logs nothing unless its key policy lets EventBridge and log delivery use the key
# (EventBridge User Guide, "Encrypting EventBridge event bus logs"; modules/policies, guarantees-iam).
locals {
  bus_logs_enabled = var.event_bus_logs.level != "OFF"
  # UpdateEventBus replaces the bus's settings: "If you do not specify a customer managed key identifier, EventBridge
  # uses an AWS owned key" (EventBridge API Reference, UpdateEventBus, KmsKeyIdentifier:
  # https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_UpdateEventBus.html), so the request that sets
  # the level names the bus's key and DLQ again, exactly as aws_cloudwatch_event_bus.callbacks has them. LogConfig:
  # the level, and IncludeDetail NONE so no event detail (the signed webhook, for full-profile endpoints clinical
  # content) is ever logged (API Reference, "LogConfig").
  bus_log_config_commands = [
    for index, name in local.event_bus_names : join(" ", [
      "aws events update-event-bus --region ${local.region} --name ${name}",
      "--kms-key-identifier ${aws_cloudwatch_event_bus.callbacks[index].kms_key_identifier}",
      "--dead-letter-config Arn=${aws_cloudwatch_event_bus.callbacks[index].dead_letter_config[0].arn}",
      "--log-config Level=${var.event_bus_logs.level},IncludeDetail=NONE",
    ])
  ]
}

resource "aws_cloudwatch_log_group" "bus" {
  # The /aws/vendedlogs/ prefix is where AWS services' vended logs go (CloudWatch Logs User Guide, same page).
  name              = "/aws/vendedlogs/events/${local.name}-callbacks"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.main.arn
}

resource "aws_cloudwatch_log_delivery_destination" "bus" {
  count         = local.bus_logs_enabled ? 1 : 0
  name          = "${local.name}-bus-logs"
  output_format = "json"
  delivery_destination_configuration {
    destination_resource_arn = aws_cloudwatch_log_group.bus.arn
  }
}

# Provider 5.100 has no log_config on aws_cloudwatch_event_bus (it arrived in 6.6): the level is set with the AWS CLI
# where asked to (see var.event_bus_logs), and re-set when the bus, its key or DLQ, or the level changes. With provider
# >= 6.6, move it to the bus's log_config { level, include_detail = "NONE" } and drop this.
resource "terraform_data" "bus_log_config" {
  count            = var.event_bus_logs.set_level_with_aws_cli ? var.event_bus_count : 0
  input            = local.bus_log_config_commands[count.index]
  triggers_replace = [local.bus_log_config_commands[count.index]]

  provisioner "local-exec" {
    command = self.input
  }
}
