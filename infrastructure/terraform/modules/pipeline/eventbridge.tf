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
