# The hold-drain function's role (issue #25; docs/guarantees.md 10.41, 10.44), as documents only (no resources, no
# provider): rendered offline by scripts/terraform/policy-render and evaluated by scripts/terraform/policies.test.ts.
# modules/pipeline/holds.tf attaches it. The drain is the only reader of the hold stores: it receives each endpoint's
# held deliveries in order, re-signs them with a fresh timestamp (signing keys, subscription documents), publishes
# them to the callbacks buses and deletes each once the bus accepted it; it moves hold states and writes the hold's
# notices. It sends to no hold store, quarantines nothing and reads no field data key (a held delivery is already built).
locals {
  arn_prefix = "arn:${var.partition}"
  regional   = "${var.region}:${var.account_id}"
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
      ],
      # Subscription documents (the endpoint's drain rate and signing secret names), signing keys, the buses: the
      # support signer's own statements too (modules/policies/pipeline).
      var.re_signing_statements,
    )
  })
}
