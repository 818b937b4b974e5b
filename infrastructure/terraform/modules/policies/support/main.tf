# The support staff's roles (docs/guarantees.md 5.6-5.8), as documents only (no resources, no provider): rendered
# offline by scripts/terraform/policy-render and evaluated by scripts/terraform/policies.test.ts (who may, who may
# not, size). modules/support attaches them. Every resource is this deployment's: a pattern under its prefix, so the
# documents have the same size at 1 and at 1,000 trusts.
locals {
  arn_prefix = "arn:${var.partition}"
  regional   = "${var.region}:${var.account_id}"
  # Every queue of the deployment is <prefix>-...: the trusts' DLQs <prefix>-<ODS>-dlq, the bus and Pipe DLQs.
  queues = "${local.arn_prefix}:sqs:${local.regional}:${var.name_prefix}-*"
  # Connection ARNs are connection/<name>/<uuid> (EventBridge API Reference, DescribeConnection).
  connections = "${local.arn_prefix}:events:${local.regional}:connection/${var.name_prefix}-*"
  # StartQuery is authorized on the log group (Service Authorization Reference, Amazon CloudWatch Logs: resource
  # type log-group, arn:...:log-group:<name>); the ":*" form covers callers that name the group's streams.
  history_log_groups = flatten([for arn in var.history_log_group_arns : [arn, "${arn}:*"]])
  # Hold stores <prefix>-<ODS>-<endpoint>-hold.fifo and trust topics <prefix>-<ODS>-notices (issue #25).
  hold_queues = "${local.arn_prefix}:sqs:${local.regional}:${var.name_prefix}-*-hold.fifo"
  topics      = "${local.arn_prefix}:sns:${local.regional}:${var.name_prefix}-*-notices"
  # Without var.holds the statements below are left out (the for filters), so these placeholders are never rendered.
  hold_tables = { for role, arn in { holds = try(var.holds.table_arn, "table/none") } : role => { arn = arn, name = element(split("/", arn), 1) } }
  tables_key  = try(var.holds.tables_key_arn, "none")

  viewer_statements = [
    {
      # ListQueues supports no resource-level permission (Amazon SQS API permissions reference); it returns URLs only.
      Sid      = "ListQueues"
      Effect   = "Allow"
      Action   = ["sqs:ListQueues"]
      Resource = ["*"]
    },
    {
      # Attributes (counts, age of the oldest message, redrive policy), never a message.
      Sid      = "ReadThisDeploymentsQueueAttributes"
      Effect   = "Allow"
      Action   = ["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ListDeadLetterSourceQueues", "sqs:ListQueueTags"]
      Resource = [local.queues]
    },
    {
      # Call history: Logs Insights over the Lambda's "delivery published" lines and the buses' logs, which carry
      # no decrypted content (AGENTS.md invariants). The group's key is used by CloudWatch Logs itself.
      Sid      = "QueryCallHistory"
      Effect   = "Allow"
      Action   = ["logs:StartQuery"]
      Resource = local.history_log_groups
    },
    {
      # GetQueryResults and StopQuery take a query id and support no resource-level permission (Service
      # Authorization Reference, Amazon CloudWatch Logs); a query can only have been started on the groups above.
      Sid      = "ReadQueryResults"
      Effect   = "Allow"
      Action   = ["logs:GetQueryResults", "logs:StopQuery"]
      Resource = ["*"]
    },
    {
      # ListConnections has no resource type (as for connection-sync); DescribeConnection returns the state and
      # the authorization parameters without secret values.
      Sid      = "ListConnections"
      Effect   = "Allow"
      Action   = ["events:ListConnections"]
      Resource = ["*"]
    },
    {
      # The console's overview lists the alarms in ALARM (DescribeAlarms with a state filter: a listing call, which
      # may be authorized against "*" rather than each alarm's ARN, so granted on "*"). Alarm names, states and
      # reasons only: no content, no secret; never PutMetricAlarm or SetAlarmState.
      Sid      = "ListAlarmStates"
      Effect   = "Allow"
      Action   = ["cloudwatch:DescribeAlarms"]
      Resource = ["*"]
    },
    {
      Sid      = "ReadThisDeploymentsConnectionStates"
      Effect   = "Allow"
      Action   = ["events:DescribeConnection"]
      Resource = [local.connections]
    },
    {
      # The audit trail: append only. CreateLogStream is authorized on the group, PutLogEvents on its streams.
      Sid      = "AppendToSupportAudit"
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = [var.audit_log_group_arn, "${var.audit_log_group_arn}:log-stream:*"]
    },
    {
      # docs/guarantees.md 10.41, 10.45: a hold store's depth and age are read with the queue attributes above; its
      # messages are the drain's alone (the operator's dead-letter grant below covers <prefix>-* queues, so this deny
      # carves the hold stores out of it, whatever else is ever attached).
      Sid      = "NeverTouchHeldDeliveries"
      Effect   = "Deny"
      Action   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:PurgeQueue", "sqs:SendMessage"]
      Resource = [local.hold_queues]
    },
    {
      # docs/guarantees.md 10.42: only the notifier publishes to a trust's topic.
      Sid      = "NeverPublishNotices"
      Effect   = "Deny"
      Action   = ["sns:Publish"]
      Resource = [local.topics]
    },
    {
      # No secret value, whatever else is ever attached to the role: signing keys, credentials, EventBridge's own.
      Sid      = "NeverReadSecretValues"
      Effect   = "Deny"
      Action   = ["secretsmanager:GetSecretValue", "secretsmanager:BatchGetSecretValue"]
      Resource = ["*"]
    },
  ]

  # list, history and the console show each endpoint's hold: read the holds table (main key, through DynamoDB).
  hold_viewer_statements = [for statement in [
    {
      Sid      = "ReadHoldStates"
      Effect   = "Allow"
      Action   = ["dynamodb:BatchGetItem", "dynamodb:Scan"]
      Resource = [local.hold_tables.holds.arn]
    },
    {
      Sid      = "HoldsTableEncryptionThroughDynamoDB"
      Effect   = "Allow"
      Action   = ["kms:Decrypt"]
      Resource = [local.tables_key]
      Condition = { StringEquals = {
        "kms:ViaService"                               = "dynamodb.${var.region}.amazonaws.com"
        "kms:EncryptionContext:aws:dynamodb:tableName" = local.hold_tables.holds.name
      } }
    },
  ] : statement if var.holds != null]

  # docs/guarantees.md 10.45: hold and resume write the endpoint's hold state (a conditional PutItem; the drain
  # alone deletes it). Never a notice (the pipeline's functions record them), never publish, never receive.
  hold_operator_statements = [for statement in [
    {
      Sid      = "WriteHoldStates"
      Effect   = "Allow"
      Action   = ["dynamodb:PutItem"]
      Resource = [local.hold_tables.holds.arn]
    },
  ] : statement if var.holds != null]

  operator_statements = [
    {
      # Redrive, replay and purge: read and remove this deployment's dead letters.
      Sid      = "HandleThisDeploymentsDeadLetters"
      Effect   = "Allow"
      Action   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:PurgeQueue"]
      Resource = [local.queues]
    },
    {
      # Reading an encrypted queue needs kms:Decrypt on its key (Amazon SQS Developer Guide, "Key management"):
      # the dead-letters key, through SQS only. Never the data-at-rest key.
      Sid       = "DecryptDeadLettersThroughSqs"
      Effect    = "Allow"
      Action    = ["kms:Decrypt"]
      Resource  = [var.dead_letters_key_arn]
      Condition = { StringEquals = { "kms:ViaService" = "sqs.${var.region}.amazonaws.com" } }
    },
  ]

  # docs/guarantees.md 5.20: the operator never reads a signing key; redrive and replay are signed by the support
  # signer, which the operator may invoke (that function only: never the transform function). Replay reads the
  # source stream as the Pipe does (records whose sensitive fields stay sealed: no grant on the field data-key key).
  signer_statements = concat(
    var.support_signer_function_arn == null ? [] : [{
      Sid      = "InvokeSupportSigner"
      Effect   = "Allow"
      Action   = ["lambda:InvokeFunction"]
      Resource = [var.support_signer_function_arn]
    }],
    var.source_stream == null ? [] : [{
      # The reads the CLI's KinesisStreamReader makes (ListShards, GetShardIterator AT_TIMESTAMP, GetRecords).
      Sid      = "ReadSourceStream"
      Effect   = "Allow"
      Action   = ["kinesis:DescribeStreamSummary", "kinesis:ListShards", "kinesis:GetShardIterator", "kinesis:GetRecords"]
      Resource = [var.source_stream.arn]
    }],
    var.source_stream == null ? [] : [{
      # The stream's server-side encryption, through Kinesis only (the records' fields stay sealed): "Your Kinesis stream
      # consumers must have the kms:Decrypt permission" (Kinesis Data Streams Developer Guide, "Permissions to use
      # user-generated KMS keys", https://docs.aws.amazon.com/streams/latest/dev/permissions-user-key-KMS.html).
      Sid       = "DecryptSourceStreamThroughKinesis"
      Effect    = "Allow"
      Action    = ["kms:Decrypt"]
      Resource  = [var.source_stream.kms_key_arn]
      Condition = { StringEquals = { "kms:ViaService" = "kinesis.${var.region}.amazonaws.com" } }
    }],
  )

  # IAM User Guide, "Configuring MFA-protected API access"
  # (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_configure-api-require.html): for roles, the
  # MFA check goes in the trust policy; aws:MultiFactorAuthPresent is true for credentials obtained with MFA
  # (AssumeRole or GetSessionToken with a device), and Bool (not BoolIfExists) refuses credentials without the key.
  # That page does not say a federated session (IAM Identity Center, SAML) carries the key, so require_mfa = false
  # drops the condition for principals whose identity provider enforces MFA at sign-in (documented in the README).
  mfa_condition = var.require_mfa ? { Condition = { Bool = { "aws:MultiFactorAuthPresent" = "true" } } } : {}
  trust_policy = { for role, principals in { viewer = var.viewer_principal_arns, operator = var.operator_principal_arns } : role => jsonencode({
    Version = "2012-10-17"
    Statement = [merge({
      Effect    = "Allow"
      Principal = { AWS = principals }
      Action    = "sts:AssumeRole"
    }, local.mfa_condition)]
  }) }
}

output "viewer_role_policy" {
  description = "What the support viewer may do: see queues, call history and connection states; no message content, no secret, no change."
  value       = jsonencode({ Version = "2012-10-17", Statement = concat(local.viewer_statements, local.hold_viewer_statements) })
}

output "operator_role_policy" {
  description = "What the support operator may do: the viewer's rights, plus receive, delete and purge dead letters, and invoke the support signer that re-signs and re-publishes them."
  value       = jsonencode({ Version = "2012-10-17", Statement = concat(local.viewer_statements, local.hold_viewer_statements, local.operator_statements, local.hold_operator_statements, local.signer_statements) })
}

output "viewer_trust_policy" {
  description = "Who may assume the viewer role: the listed principals, with MFA."
  value       = local.trust_policy["viewer"]
}

output "operator_trust_policy" {
  description = "Who may assume the operator role: the listed principals, with MFA."
  value       = local.trust_policy["operator"]
}

output "history_log_group_arns" {
  description = "The log groups the roles may query (StartQuery), as granted."
  value       = var.history_log_group_arns
}
