data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  name       = coalesce(var.name_prefix, "trust-callbacks-${var.environment}")
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name

  # The platform's stream and keys, or (test accounts only) ones created here.
  source_stream_arn     = var.create_test_source ? aws_kinesis_stream.source[0].arn : var.source_stream.arn
  source_stream_key_arn = var.create_test_source ? aws_kms_key.main.arn : var.source_stream.kms_key_arn
  data_key_kms_key_arn  = var.create_test_source ? aws_kms_key.data_keys[0].arn : var.source_stream.data_key_kms_key_arn
  # LATEST on the platform's stream: TRIM_HORIZON would resend its whole retention period as live webhooks on the
  # first deploy (EventBridge User Guide, "Amazon Kinesis stream as a source": starting position).
  starting_position = coalesce(var.pipe.starting_position, var.create_test_source ? "TRIM_HORIZON" : "LATEST")

  # Named before they exist: their key policy must name them (see modules/policies/pipeline).
  event_bus_names      = [for index in range(var.event_bus_count) : "${local.name}-callbacks-${index}"]
  subscriptions_prefix = "subscriptions/"
  # One subscription index shard per callbacks bus, each written by that bus's trusts stack after its documents
  # (stacks/trusts); the Lambda reads every one listed here, a shard not written yet as a bus with no trusts yet.
  subscription_index_keys = [for index in range(var.event_bus_count) : "${local.subscriptions_prefix}index/bus-${index}.json"]
  quarantine_prefix       = "quarantine/"
}

module "policies" {
  source = "../policies/pipeline"

  name_prefix           = local.name
  partition             = local.partition
  region                = local.region
  account_id            = local.account_id
  main_key_arn          = aws_kms_key.main.arn
  source_stream_arn     = local.source_stream_arn
  source_stream_key_arn = local.source_stream_key_arn
  data_key_key_arn      = local.data_key_kms_key_arn
  lambda_function_arn   = aws_lambda_function.transform_filter.arn
  lambda_log_group_arn  = aws_cloudwatch_log_group.lambda.arn
  pipe_log_group_arn    = aws_cloudwatch_log_group.pipe.arn
  pipe_dlq_arn          = aws_sqs_queue.pipe_dlq.arn
  event_bus_names       = local.event_bus_names
  config_bucket_arn     = aws_s3_bucket.this["config"].arn
  quarantine_bucket_arn = aws_s3_bucket.this["quarantine"].arn
  bindings_table_arn    = aws_dynamodb_table.bindings.arn
  subscriptions_prefix  = local.subscriptions_prefix
  quarantine_prefix     = local.quarantine_prefix
  signing_secret_prefix = var.signing_secret_prefix
  secrets_kms_key_arns  = var.secrets_kms_key_arns
  # Holds (holds.tf): the producers' and the drain's roles are named by the holds key's policy, the notifier's by the
  # notices key's; the key's ARN is passed apart, so its policy does not depend on the key.
  holds = {
    table_arn          = aws_dynamodb_table.holds.arn
    producer_role_arns = [aws_iam_role.lambda.arn, aws_iam_role.support_signer.arn]
    drain_role_arn     = aws_iam_role.hold_drain.arn
    notifier_role_arn  = aws_iam_role.notifier.arn
  }
  holds_key_arn = aws_kms_key.holds.arn
}
