# The notifier function's role (issue #25; docs/guarantees.md 10.42, 10.44), as documents only (no resources, no
# provider): rendered offline by scripts/terraform/policy-render and evaluated by scripts/terraform/policies.test.ts.
# modules/pipeline/notices.tf attaches it. The notifier is the only publisher to the trusts' notice topics: it writes
# the notices it derives from AWS events (dead-letter alarms, connection states) into the notices table, publishes
# due unsent notices and marks them sent. It reads no delivery, no hold store and no secret.
locals {
  arn_prefix = "arn:${var.partition}"
  regional   = "${var.region}:${var.account_id}"
  # Every trust's topic is <prefix>-<ODS>-notices (modules/trust): one pattern for every trust.
  topics        = "${local.arn_prefix}:sns:${local.regional}:${var.name_prefix}-*-notices"
  notices_table = element(split("/", var.notices_table_arn), 1)
}

output "trust_policy" {
  description = "Who may assume the notifier's role: Lambda, for this account."
  value = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = var.account_id } }
    }]
  })
}

output "role_policy" {
  description = "What the notifier may do: read and write notices, publish to the trusts' notice topics, write its own logs."
  value = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "WriteOwnLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = ["${var.log_group_arn}:*"]
      },
      {
        # Due unsent notices are found by a scan (the table has no index); episodes are read (GetItem) and its own
        # notices written first-wins (PutItem with a condition); a published one is claimed and marked sent
        # (UpdateItem). No DeleteItem.
        Sid      = "ReadAndMarkNotices"
        Effect   = "Allow"
        Action   = ["dynamodb:Scan", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
        Resource = [var.notices_table_arn]
      },
      {
        Sid      = "NoticesTableEncryptionThroughDynamoDB"
        Effect   = "Allow"
        Action   = ["kms:Decrypt"]
        Resource = [var.main_key_arn]
        Condition = { StringEquals = {
          "kms:ViaService"                               = "dynamodb.${var.region}.amazonaws.com"
          "kms:EncryptionContext:aws:dynamodb:tableName" = local.notices_table
        } }
      },
      {
        Sid      = "PublishToTrustTopics"
        Effect   = "Allow"
        Action   = ["sns:Publish"]
        Resource = [local.topics]
      },
      {
        # A publisher to an SSE topic needs kms:GenerateDataKey and kms:Decrypt on the topic's key (Amazon SNS
        # Developer Guide, "Key management", https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html).
        Sid       = "EncryptNoticesThroughSns"
        Effect    = "Allow"
        Action    = ["kms:GenerateDataKey", "kms:Decrypt"]
        Resource  = [var.notices_key_arn]
        Condition = { StringEquals = { "kms:ViaService" = "sns.${var.region}.amazonaws.com" } }
      },
    ]
  })
}
