data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  name       = coalesce(var.name_prefix, "trust-callbacks-${var.environment}")
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name
  # The key that wraps the platform's field data keys: the platform's own, or one created here.
  data_key_kms_key_arn = coalesce(var.data_key_kms_key_arn, try(aws_kms_key.data_keys[0].arn, null))
  source_stream_arn    = coalesce(var.source_stream_arn, try(aws_kinesis_stream.source[0].arn, null))
  source_stream_kms_keys = compact([
    var.source_stream_arn == null ? aws_kms_key.main.arn : var.source_stream_kms_key_arn,
  ])
  signing_secret_arns  = [for secret in data.aws_secretsmanager_secret.signing : secret.arn]
  subscriptions_prefix = "subscriptions/"
  quarantine_prefix    = "quarantine/"
}

data "aws_secretsmanager_secret" "signing" {
  for_each = toset(var.signing_secret_names)
  name     = each.value
}
