# One callbacks bus's logs, delivered to the environment's bus log group (modules/pipeline creates the group and the
# one delivery destination). Called by the root in bus part bus-<i> for bus i, so the deliveries of different buses
# are created by different applies, one after another (scripts/terraform/environment.sh applies the parts in turn):
# CloudWatch Logs answers ConflictException to concurrent operations on one delivery destination (or source), and
# provider 5.x does not retry it (hashicorp/terraform-provider-aws #42194, #42947; the provider's example chains
# deliveries with depends_on). Within the bus, each delivery names the one before it (tag `after`), so Terraform
# creates them one at a time too; tests/bus_logs.tftest.hcl pins the chain.
#
# Log types: a delivery source carries one log type (ERROR_LOGS, INFO_LOGS or TRACE_LOGS) of one resource
# (CloudWatch Logs API Reference, PutDeliverySource: https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutDeliverySource.html;
# EventBridge User Guide, "Configuring logs for Amazon EventBridge event buses":
# https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus-logs.html). A level includes the records of the
# levels below it (INFO: "errors, as well as major steps"; API Reference, LogConfig), and which type each record is
# delivered under is not documented record by record: a source for the level's type and for every type below it
# means every record the level produces has a way to the log group, whichever type it is filed under.
locals {
  info  = contains(["INFO", "TRACE"], var.level)
  trace = var.level == "TRACE"
}

resource "aws_cloudwatch_log_delivery_source" "error" {
  name         = "${var.bus_name}-error"
  log_type     = "ERROR_LOGS"
  resource_arn = var.bus_arn
}

resource "aws_cloudwatch_log_delivery_source" "info" {
  count        = local.info ? 1 : 0
  name         = "${var.bus_name}-info"
  log_type     = "INFO_LOGS"
  resource_arn = var.bus_arn
}

resource "aws_cloudwatch_log_delivery_source" "trace" {
  count        = local.trace ? 1 : 0
  name         = "${var.bus_name}-trace"
  log_type     = "TRACE_LOGS"
  resource_arn = var.bus_arn
}

resource "aws_cloudwatch_log_delivery" "error" {
  delivery_source_name     = aws_cloudwatch_log_delivery_source.error.name
  delivery_destination_arn = var.delivery_destination_arn
  tags                     = { bus = var.bus_name, log_type = "ERROR_LOGS" }
}

resource "aws_cloudwatch_log_delivery" "info" {
  count                    = local.info ? 1 : 0
  delivery_source_name     = aws_cloudwatch_log_delivery_source.info[0].name
  delivery_destination_arn = var.delivery_destination_arn
  # Created after the ERROR delivery: never two CreateDelivery calls against the destination at once.
  tags = { bus = var.bus_name, log_type = "INFO_LOGS", after = aws_cloudwatch_log_delivery.error.id }
}

resource "aws_cloudwatch_log_delivery" "trace" {
  count                    = local.trace ? 1 : 0
  delivery_source_name     = aws_cloudwatch_log_delivery_source.trace[0].name
  delivery_destination_arn = var.delivery_destination_arn
  tags                     = { bus = var.bus_name, log_type = "TRACE_LOGS", after = aws_cloudwatch_log_delivery.info[0].id }
}
