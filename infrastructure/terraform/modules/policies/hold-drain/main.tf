# The hold-drain function's role (issue #25; docs/guarantees.md 10.41, 10.44), as documents only (no resources, no
# provider): rendered offline by scripts/terraform/policy-render and evaluated by scripts/terraform/policies.test.ts.
# modules/pipeline/holds.tf attaches it. The drain is the only reader of the hold stores: it receives each endpoint's
# held deliveries in order, re-signs them with a fresh timestamp (signing keys, subscription documents), publishes
# them to the callbacks buses and deletes each once the bus accepted it; it moves hold states and writes the hold's
# notices. It sends to no hold store, quarantines nothing and reads no field data key (a held delivery is already built).
locals {
  arn_prefix     = "arn:${var.partition}"
  regional       = "${var.region}:${var.account_id}"
  event_bus_arns = [for name in var.event_bus_names : "${local.arn_prefix}:events:${local.regional}:event-bus/${name}"]
  # holdQueueName in schemas/src/holds.ts: <prefix>-<ODS>-<endpoint>-hold.fifo, one pattern for every endpoint.
  hold_queues = "${local.arn_prefix}:sqs:${local.regional}:${var.name_prefix}-*-hold.fifo"
  tables      = [for arn in [var.holds_table_arn, var.notices_table_arn] : element(split("/", arn), 1)]
}

output "trust_policy" {
  description = "Who may assume the hold-drain's role: Lambda, for this account."
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
  description = "What the hold-drain may do: receive and delete held deliveries, re-sign and publish them, move hold states, write notices, write its own logs."
  value = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [
        {
          Sid      = "WriteOwnLogs"
          Effect   = "Allow"
          Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
          Resource = ["${var.log_group_arn}:*"]
        },
        {
          # The consumer's actions (Amazon SQS API permissions reference); never SendMessage or PurgeQueue.
          Sid      = "ReceiveHeldDeliveries"
          Effect   = "Allow"
          Action   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
          Resource = [local.hold_queues]
        },
        {
          # A consumer of an SSE-KMS queue needs kms:Decrypt (Amazon SQS Developer Guide, "Amazon SQS key management",
          # https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html).
          Sid       = "DecryptHeldDeliveriesThroughSqs"
          Effect    = "Allow"
          Action    = ["kms:Decrypt"]
          Resource  = [var.holds_key_arn]
          Condition = { StringEquals = { "kms:ViaService" = "sqs.${var.region}.amazonaws.com" } }
        },
        {
          # Scan: the table holds only endpoints with a hold or a drain (small). Every write is conditional on version.
          Sid      = "MoveHoldStates"
          Effect   = "Allow"
          Action   = ["dynamodb:Scan", "dynamodb:PutItem", "dynamodb:DeleteItem"]
          Resource = [var.holds_table_arn]
        },
        {
          # hold-started / hold-ended / hold-drained notices (first write wins: PutItem with a condition; GetItem
          # reads the first notice when DynamoDB's refusal did not return it: DynamoDbNoticeLog).
          Sid      = "WriteNotices"
          Effect   = "Allow"
          Action   = ["dynamodb:PutItem", "dynamodb:GetItem"]
          Resource = [var.notices_table_arn]
        },
        {
          # Both tables are encrypted with the main key: through DynamoDB, for these two tables only (KMS Developer
          # Guide, "How Amazon DynamoDB uses AWS KMS": the table's encryption context names it).
          Sid      = "TablesEncryptionThroughDynamoDB"
          Effect   = "Allow"
          Action   = ["kms:Decrypt"]
          Resource = [var.main_key_arn]
          Condition = { StringEquals = {
            "kms:ViaService"                               = "dynamodb.${var.region}.amazonaws.com"
            "kms:EncryptionContext:aws:dynamodb:tableName" = local.tables
          } }
        },
        {
          Sid      = "PublishToCallbacksBuses"
          Effect   = "Allow"
          Action   = ["events:PutEvents"]
          Resource = local.event_bus_arns
        },
        {
          # The endpoint's current document: its drain rate and signing secret names.
          Sid      = "ReadSubscriptionDocuments"
          Effect   = "Allow"
          Action   = ["s3:GetObject"]
          Resource = ["${var.config_bucket_arn}/${var.subscriptions_prefix}*"]
        },
        {
          Sid       = "ListSubscriptionDocuments"
          Effect    = "Allow"
          Action    = ["s3:ListBucket"]
          Resource  = [var.config_bucket_arn]
          Condition = { StringLike = { "s3:prefix" = ["${var.subscriptions_prefix}*"] } }
        },
        {
          Sid       = "BucketDecryptionThroughS3"
          Effect    = "Allow"
          Action    = ["kms:Decrypt"]
          Resource  = [var.main_key_arn]
          Condition = { StringEquals = { "kms:ViaService" = "s3.${var.region}.amazonaws.com" } }
        },
        {
          # Signing keys of this environment only (the same pattern as the transform Lambda's; Secrets Manager User
          # Guide, "Permissions reference for Secrets Manager").
          Sid      = "ReadSigningSecrets"
          Effect   = "Allow"
          Action   = ["secretsmanager:GetSecretValue"]
          Resource = ["${local.arn_prefix}:secretsmanager:${local.regional}:secret:${var.signing_secret_prefix}*"]
        },
      ],
      length(var.secrets_kms_key_arns) == 0 ? [] : [{
        Sid       = "DecryptSigningSecretsThroughSecretsManager"
        Effect    = "Allow"
        Action    = ["kms:Decrypt"]
        Resource  = var.secrets_kms_key_arns
        Condition = { StringEquals = { "kms:ViaService" = "secretsmanager.${var.region}.amazonaws.com" } }
      }],
    )
  })
}
