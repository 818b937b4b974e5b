locals {
  # Key administration and use for the account, spelled out (no kms:* wildcard); IAM policies then grant use.
  kms_account_actions = [
    "kms:CancelKeyDeletion", "kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey", "kms:DisableKey",
    "kms:DisableKeyRotation", "kms:EnableKey", "kms:EnableKeyRotation", "kms:Encrypt", "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListGrants",
    "kms:ListResourceTags", "kms:PutKeyPolicy", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:RetireGrant",
    "kms:RevokeGrant", "kms:ScheduleKeyDeletion", "kms:TagResource", "kms:UntagResource", "kms:UpdateKeyDescription",
  ]
  kms_account_statement = {
    Sid       = "AccountAdministersAndIamGrantsUse"
    Effect    = "Allow"
    Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
    Action    = local.kms_account_actions
    Resource  = "*"
  }
}

# Encrypts at rest: stream, buckets, queues, log groups, the bus and the alarm topic.
resource "aws_kms_key" "main" {
  description         = "${local.name}: data at rest"
  enable_key_rotation = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      local.kms_account_statement,
      {
        Sid       = "CloudWatchLogs"
        Effect    = "Allow"
        Principal = { Service = "logs.${local.region}.amazonaws.com" }
        Action    = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
        Resource  = "*"
        Condition = { ArnLike = { "kms:EncryptionContext:aws:logs:arn" = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:*" } }
      },
      {
        # EventBridge writes to the encrypted DLQs and reads the encrypted bus.
        Sid       = "EventBridge"
        Effect    = "Allow"
        Principal = { Service = "events.amazonaws.com" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
        Resource  = "*"
        Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
      },
      {
        Sid       = "CloudWatchAlarmsToSns"
        Effect    = "Allow"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource  = "*"
        Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
      },
    ]
  })
}

resource "aws_kms_alias" "main" {
  name          = "alias/${local.name}"
  target_key_id = aws_kms_key.main.key_id
}

# EventBridge stores each connection's credentials in its own secret, encrypted with this key.
resource "aws_kms_key" "connections" {
  description         = "${local.name}: API destination connection secrets"
  enable_key_rotation = true
  policy              = jsonencode({ Version = "2012-10-17", Statement = [local.kms_account_statement] })
  tags                = { EventBridgeApiDestinations = "true" }
}

resource "aws_kms_alias" "connections" {
  name          = "alias/${local.name}-connections"
  target_key_id = aws_kms_key.connections.key_id
}

# Only where the platform's key is not given (test environments): wraps field data keys.
resource "aws_kms_key" "data_keys" {
  count               = var.data_key_kms_key_arn == null ? 1 : 0
  description         = "${local.name}: wraps conversation field data keys"
  enable_key_rotation = true
  policy              = jsonencode({ Version = "2012-10-17", Statement = [local.kms_account_statement] })
}
