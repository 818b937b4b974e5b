# Every access rule of the environment-wide resources, as JSON documents and nothing else: no resources and no
# provider, so scripts/terraform/policies.test.ts renders them offline with realistic ARNs and evaluates them
# (who may do what, and who may not), and measures their size against IAM's quotas.
locals {
  arn_prefix   = "arn:${var.partition}"
  account_root = "${local.arn_prefix}:iam::${var.account_id}:root"
  regional     = "${var.region}:${var.account_id}"
  # EventBridge API Reference, "EventBus": arn:<partition>:events:<region>:<account>:event-bus/<name>.
  event_bus_arns = [for name in var.event_bus_names : "${local.arn_prefix}:events:${local.regional}:event-bus/${name}"]
  bindings_table = element(split("/", var.bindings_table_arn), 1)

  # KMS Developer Guide, "Default key policy": the account root gets kms:* so that IAM policies decide who
  # administers and uses the key. Listing actions instead breaks what is not listed: without kms:CreateAlias,
  # kms:UpdateAlias and kms:DeleteAlias even an administrator cannot create or delete the key's alias
  # (KMS Developer Guide, "Controlling access to aliases"), so `apply` and `destroy` fail. The "no wildcard
  # action" rule is for the roles the pipeline runs as, not for the account's own administration of its keys.
  account_root_statement = {
    Sid       = "EnableIamPolicies"
    Effect    = "Allow"
    Principal = { AWS = local.account_root }
    Action    = "kms:*"
    Resource  = "*"
  }

  # docs/guarantees.md 5.4: every statement that lets an AWS service use a key names this account. Whether KMS sees
  # aws:SourceAccount when a service calls it for a resource is documented for EventBridge buses only (EventBridge User
  # Guide, "Authorizing EventBridge to use a customer managed key", https://docs.aws.amazon.com/eventbridge/latest/
  # userguide/eb-encryption-key-policy.html, whose example is itself wrong: an ARN under aws:SourceAccount). So the
  # key is matched with ...IfExists: a request that carries it must carry this account; one that does not is still
  # bound by the statement's other conditions (an encryption context or source ARN naming this deployment's
  # resources), so a missing key never drops a dead letter, a log record or an alarm.
  this_account_if_present = { "aws:SourceAccount" = var.account_id }
  # Every alarm of the deployment is named <prefix>-... (modules/pipeline/monitoring.tf, modules/trust).
  alarm_arns = "${local.arn_prefix}:cloudwatch:${local.regional}:alarm:${var.name_prefix}-*"

  # Holds (issue #25, docs/guarantees.md 10.41-10.44). Every hold store is <prefix>-<ODS>-<endpoint>-hold.fifo
  # (holdQueueName in schemas/src/holds.ts): one pattern covers every endpoint's, at any number of trusts.
  hold_queues = "${local.arn_prefix}:sqs:${local.regional}:${var.name_prefix}-*-hold.fifo"
  holds_table = element(split("/", var.holds.table_arn), 1)
  # SSE-KMS queues: a producer needs kms:GenerateDataKey and kms:Decrypt on the queue's key, a consumer kms:Decrypt
  # (Amazon SQS Developer Guide, "Amazon SQS key management", https://docs.aws.amazon.com/AWSSimpleQueueService/
  # latest/SQSDeveloperGuide/sqs-key-management.html). Through SQS only: kms:ViaService (KMS Developer Guide,
  # "kms:ViaService"). SQS's encryption context is not documented there, so no statement depends on it; the holds
  # key encrypts nothing but hold stores.
  through_sqs = { StringEquals = { "kms:ViaService" = "sqs.${var.region}.amazonaws.com" } }
}

# Encrypts data at rest: stream (test), buckets, the Pipe's DLQ, log groups, the callbacks buses and the alarm topic.
output "main_key_policy" {
  description = "Key policy of the data-at-rest key."
  value = jsonencode({
    Version = "2012-10-17"
    Statement = [
      local.account_root_statement,
      {
        # CloudWatch Logs User Guide, "Encrypt log data in CloudWatch Logs using AWS KMS": the Region's logs
        # principal, bound by encryption context to this deployment's log groups.
        # (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html). The log group ARN in
        # the context already names this account; /<prefix>/* is the support audit log group (modules/support).
        Sid       = "CloudWatchLogsOfThisDeployment"
        Effect    = "Allow"
        Principal = { Service = "logs.${var.region}.amazonaws.com" }
        Action    = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey"]
        Resource  = "*"
        Condition = {
          ArnLike = { "kms:EncryptionContext:aws:logs:arn" = [
            "${local.arn_prefix}:logs:${local.regional}:log-group:/aws/lambda/${var.name_prefix}-*",
            "${local.arn_prefix}:logs:${local.regional}:log-group:/aws/vendedlogs/*/${var.name_prefix}-*",
            "${local.arn_prefix}:logs:${local.regional}:log-group:/${var.name_prefix}/*",
          ] }
          StringEqualsIfExists = local.this_account_if_present
        }
      },
      {
        # EventBridge User Guide, "Encrypting EventBridge event buses with AWS KMS keys" ("Authorizing EventBridge
        # to use a customer managed key"): DescribeKey without condition, so a bus can be created with the key...
        # Only this account's EventBridge when the request names one (DescribeKey reveals metadata, not data).
        Sid       = "EventBridgeDescribesKeyForBuses"
        Effect    = "Allow"
        Principal = { Service = "events.amazonaws.com" }
        Action    = "kms:DescribeKey"
        Resource  = "*"
        Condition = { StringEqualsIfExists = local.this_account_if_present }
      },
      {
        # ...and data keys only for the events of this deployment's buses (the same context covers rule matching
        # and delivery to targets). The page's example puts an ARN under aws:SourceAccount; this is what it means.
        Sid       = "EventBridgeEncryptsCallbacksBuses"
        Effect    = "Allow"
        Principal = { Service = "events.amazonaws.com" }
        Action    = ["kms:GenerateDataKey", "kms:Decrypt"]
        Resource  = "*"
        Condition = {
          StringEquals = {
            "kms:EncryptionContext:aws:events:event-bus:arn" = local.event_bus_arns
            "aws:SourceArn"                                  = local.event_bus_arns
          }
          StringEqualsIfExists = local.this_account_if_present
        }
      },
      {
        # Bus logs (issue #21): EventBridge User Guide, "Encrypting event bus logs with AWS KMS in EventBridge"
        # (https://docs.aws.amazon.com/eventbridge/latest/userguide/encryption-bus-logs.html): EventBridge encrypts
        # each log record's detail and error with the bus's key, and CloudWatch Logs' delivery service decrypts it
        # before re-encrypting it for the destination. Both with the documented context, SourceArn =
        # arn:<partition>:logs:<region>:<account>:*, here this account and Region only. Without these two statements
        # no bus log record is written.
        Sid       = "EventBridgeEncryptsBusLogs"
        Effect    = "Allow"
        Principal = { Service = "events.amazonaws.com" }
        Action    = ["kms:GenerateDataKey"]
        Resource  = "*"
        Condition = {
          StringLike           = { "kms:EncryptionContext:SourceArn" = "${local.arn_prefix}:logs:${local.regional}:*" }
          StringEqualsIfExists = local.this_account_if_present
        }
      },
      {
        Sid       = "LogDeliveryDecryptsBusLogs"
        Effect    = "Allow"
        Principal = { Service = "delivery.logs.amazonaws.com" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource  = "*"
        Condition = {
          StringLike           = { "kms:EncryptionContext:SourceArn" = "${local.arn_prefix}:logs:${local.regional}:*" }
          StringEqualsIfExists = local.this_account_if_present
        }
      },
      {
        # KMS Developer Guide, "How Amazon DynamoDB uses AWS KMS" (customer managed key policy): DynamoDB itself reads
        # the key's metadata (the documented statement, read-only; it cannot use the key through it). Who may use the
        # key through DynamoDB is decided by IAM (the account-root statement above; the Lambda's role policy).
        Sid       = "DynamoDBReadsKeyMetadata"
        Effect    = "Allow"
        Principal = { Service = "dynamodb.amazonaws.com" }
        Action    = ["kms:Describe*", "kms:Get*", "kms:List*"]
        Resource  = "*"
        Condition = { StringEqualsIfExists = local.this_account_if_present }
      },
      {
        # Amazon SNS Developer Guide, "Key management" (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html,
        # CloudWatch alarms to an encrypted topic): the documented statement has no condition, and AWS does not say
        # which source keys reach KMS when SNS encrypts for CloudWatch. Whatever does must name this account and,
        # for aws:SourceArn, an alarm of this deployment (all named <prefix>-...).
        Sid       = "CloudWatchAlarmsToEncryptedTopic"
        Effect    = "Allow"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource  = "*"
        Condition = {
          StringEqualsIfExists = local.this_account_if_present
          ArnLikeIfExists      = { "aws:SourceArn" = local.alarm_arns }
        }
      },
    ]
  })
}

# Encrypts only the dead-letter queues EventBridge writes to (the trusts' DLQs and the buses' DLQ). AWS documents
# the statement for an EventBridge target's encrypted SQS queue without any condition (EventBridge User Guide,
# "Troubleshooting Amazon EventBridge": encrypted SQS target; Amazon SQS Developer Guide, "Key management"), and
# does not document which condition keys (aws:SourceArn, aws:SourceAccount, an SQS encryption context) reach KMS
# when SQS calls it for EventBridge. So the statement requires none of them (each is matched ...IfExists: when
# present it must name this account and this deployment's queues): this key is narrow because it encrypts nothing
# but dead letters, and only this deployment's queue policies let EventBridge send to its queues.
# A refused key would drop the dead letter (metric InvocationsFailedToBeSentToDlq, alarmed in monitoring.tf).
output "dead_letters_key_policy" {
  description = "Key policy of the key that encrypts the DLQs EventBridge writes to."
  value = jsonencode({
    Version = "2012-10-17"
    Statement = [
      local.account_root_statement,
      {
        # Whatever of these reaches KMS must name this account and one of this deployment's queues (SQS's encryption
        # context is the queue ARN); aws:SourceArn is left out: which ARN it would carry here (the rule's, the
        # queue's) is not documented, and a wrong guess would drop every dead letter.
        Sid       = "EventBridgeWritesDeadLetters"
        Effect    = "Allow"
        Principal = { Service = "events.amazonaws.com" }
        Action    = ["kms:GenerateDataKey", "kms:Decrypt"]
        Resource  = "*"
        Condition = {
          StringEqualsIfExists = local.this_account_if_present
          ArnLikeIfExists      = { "kms:EncryptionContext:aws:sqs:arn" = "${local.arn_prefix}:sqs:${local.regional}:${var.name_prefix}-*" }
        }
      },
    ]
  })
}

# EventBridge User Guide, "Encrypting EventBridge connection authorization with AWS KMS keys": the documented
# policy is the account root statement; EventBridge's service-linked role (AmazonEventBridgeApiDestinations
# ServiceRolePolicy) uses the key through Secrets Manager for keys tagged EventBridgeApiDestinations=true.
output "connections_key_policy" {
  description = "Key policy of the key that encrypts the connections' credentials secrets."
  value       = jsonencode({ Version = "2012-10-17", Statement = [local.account_root_statement] })
}

output "data_keys_key_policy" {
  description = "Key policy of the field data-key key created in test accounts (the platform owns it elsewhere)."
  value       = jsonencode({ Version = "2012-10-17", Statement = [local.account_root_statement] })
}

# Encrypts the hold stores and nothing else (docs/guarantees.md 10.40, 10.41). Besides the account root, the key
# policy itself names who may use it, each through SQS only: the two producers (transform Lambda, support signer)
# encrypt, and only the drain decrypts as a consumer. A producer also gets kms:Decrypt, which SQS requires of a
# producer (it reuses data keys); receiving is still refused to it by IAM (no sqs:ReceiveMessage on hold stores).
output "holds_key_policy" {
  description = "Key policy of the key that encrypts the hold stores."
  value = jsonencode({
    Version = "2012-10-17"
    Statement = [
      local.account_root_statement,
      {
        Sid       = "ProducersEncryptHeldDeliveries"
        Effect    = "Allow"
        Principal = { AWS = var.holds.producer_role_arns }
        Action    = ["kms:GenerateDataKey", "kms:Decrypt"]
        Resource  = "*"
        Condition = local.through_sqs
      },
      {
        Sid       = "DrainDecryptsHeldDeliveries"
        Effect    = "Allow"
        Principal = { AWS = [var.holds.drain_role_arn] }
        Action    = ["kms:Decrypt"]
        Resource  = "*"
        Condition = local.through_sqs
      },
    ]
  })
}

# Encrypts the trusts' notice topics (docs/guarantees.md 10.42). A publisher to an SSE topic needs
# kms:GenerateDataKey and kms:Decrypt on its key (Amazon SNS Developer Guide, "Key management",
# https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html); only the notifier publishes, so only it is named,
# through SNS only. No AWS service publishes to these topics, so no service statement.
output "notices_key_policy" {
  description = "Key policy of the key that encrypts the trusts' notice topics."
  value = jsonencode({
    Version = "2012-10-17"
    Statement = [
      local.account_root_statement,
      {
        Sid       = "NotifierPublishesNotices"
        Effect    = "Allow"
        Principal = { AWS = [var.holds.notifier_role_arn] }
        Action    = ["kms:GenerateDataKey", "kms:Decrypt"]
        Resource  = "*"
        Condition = { StringEquals = { "kms:ViaService" = "sns.${var.region}.amazonaws.com" } }
      },
    ]
  })
}

output "lambda_trust_policy" {
  description = "Who may assume the transform-and-filter Lambda's role."
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

# Least privilege: every action named, every resource this deployment's own (exact, or a pattern under its
# prefix where one ARN per trust or endpoint would outgrow IAM's 10,240-character inline-policy quota).
output "lambda_role_policy" {
  description = "What the transform-and-filter Lambda may do."
  value = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [
        {
          Sid      = "WriteOwnLogs"
          Effect   = "Allow"
          Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
          Resource = ["${var.lambda_log_group_arn}:*"]
        },
        {
          # X-Ray has no resource-level permissions for these two actions (Service Authorization Reference, X-Ray).
          Sid      = "Tracing"
          Effect   = "Allow"
          Action   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
          Resource = ["*"]
        },
        {
          Sid      = "PublishToCallbacksBuses"
          Effect   = "Allow"
          Action   = ["events:PutEvents"]
          Resource = local.event_bus_arns
        },
        {
          # GetObjectVersion: a conversation's bound document version, read by version id (Amazon S3 API Reference,
          # GetObject: "you must have the s3:GetObjectVersion permission to access a specific version").
          Sid      = "ReadSubscriptionDocuments"
          Effect   = "Allow"
          Action   = ["s3:GetObject", "s3:GetObjectVersion"]
          Resource = ["${var.config_bucket_arn}/${var.subscriptions_prefix}*"]
        },
        {
          # Lets S3 answer 404 (unknown trust) instead of 403 for a missing document.
          Sid       = "ListSubscriptionDocuments"
          Effect    = "Allow"
          Action    = ["s3:ListBucket"]
          Resource  = [var.config_bucket_arn]
          Condition = { StringLike = { "s3:prefix" = ["${var.subscriptions_prefix}*"] } }
        },
        {
          Sid      = "WriteQuarantine"
          Effect   = "Allow"
          Action   = ["s3:PutObject"]
          Resource = ["${var.quarantine_bucket_arn}/${var.quarantine_prefix}*"]
        },
        {
          # Only through S3 (Amazon S3 User Guide, "Using server-side encryption with AWS KMS keys": kms:ViaService).
          Sid       = "BucketEncryptionThroughS3"
          Effect    = "Allow"
          Action    = ["kms:Decrypt", "kms:GenerateDataKey"]
          Resource  = [var.main_key_arn]
          Condition = { StringEquals = { "kms:ViaService" = "s3.${var.region}.amazonaws.com" } }
        },
        {
          # Only data keys the platform wrapped for this purpose.
          Sid       = "UnwrapFieldDataKeys"
          Effect    = "Allow"
          Action    = ["kms:Decrypt"]
          Resource  = [var.data_key_key_arn]
          Condition = { StringEquals = { "kms:EncryptionContext:purpose" = "trust-callbacks-field-key" } }
        },
        {
          # Conversation bindings: read in batches, written once (conditional put), read back when the put is refused.
          # No Query, Scan, UpdateItem or DeleteItem: TTL deletes expired bindings.
          Sid      = "ConversationBindings"
          Effect   = "Allow"
          Action   = ["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:PutItem"]
          Resource = [var.bindings_table_arn]
        },
        {
          # The bindings table is encrypted with the main key: DynamoDB decrypts the table key on behalf of the
          # principal accessing the table (KMS Developer Guide, "How Amazon DynamoDB uses AWS KMS", Decrypt;
          # https://docs.aws.amazon.com/kms/latest/developerguide/services-dynamodb.html), only through DynamoDB and
          # only for this table (its encryption context names the table).
          Sid      = "BindingsTableEncryptionThroughDynamoDB"
          Effect   = "Allow"
          Action   = ["kms:Decrypt"]
          Resource = [var.main_key_arn]
          Condition = { StringEquals = {
            "kms:ViaService"                               = "dynamodb.${var.region}.amazonaws.com"
            "kms:EncryptionContext:aws:dynamodb:tableName" = local.bindings_table
          } }
        },
        {
          # One pattern for every endpoint's signing key, whatever the number of trusts: signing keys only (never a
          # credentials secret; the prefix names the kind, trust-callbacks/<env>/signing/). A secret's ARN is its name
          # + "-" + 6 random characters (Secrets Manager User Guide, "Permissions reference for Secrets Manager":
          # https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_iam-permissions.html), so the
          # pattern ends in * after the prefix's final "/"; the modules/pipeline validation keeps the prefixes disjoint.
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
      local.hold_producer_statements,
    )
  })
}

output "re_signing_statements" {
  description = "The statements a function that re-signs and publishes what was already built needs (the support signer's and the hold drain's): read the current subscription documents and the signing keys, publish to the callbacks buses."
  value       = local.re_signing_statements
}

locals {
  # One copy for the support signer and the hold drain (both sign with the transform core's signedBusEntry): the
  # current documents only (no version reads), signing keys only, every callbacks bus.
  re_signing_statements = concat([
    {
      Sid      = "PublishToCallbacksBuses"
      Effect   = "Allow"
      Action   = ["events:PutEvents"]
      Resource = local.event_bus_arns
    },
    {
      # The current document only (the index and each trust's document): a redrive or a drain signs for the endpoint
      # as it is now.
      Sid      = "ReadSubscriptionDocuments"
      Effect   = "Allow"
      Action   = ["s3:GetObject"]
      Resource = ["${var.config_bucket_arn}/${var.subscriptions_prefix}*"]
    },
    {
      # Lets S3 answer 404 (unknown trust) instead of 403 for a missing document.
      Sid       = "ListSubscriptionDocuments"
      Effect    = "Allow"
      Action    = ["s3:ListBucket"]
      Resource  = [var.config_bucket_arn]
      Condition = { StringLike = { "s3:prefix" = ["${var.subscriptions_prefix}*"] } }
    },
    {
      # Only through S3 (Amazon S3 User Guide, "Using server-side encryption with AWS KMS keys": kms:ViaService).
      Sid       = "BucketDecryptionThroughS3"
      Effect    = "Allow"
      Action    = ["kms:Decrypt"]
      Resource  = [var.main_key_arn]
      Condition = { StringEquals = { "kms:ViaService" = "s3.${var.region}.amazonaws.com" } }
    },
    {
      # Signing keys only, of this environment (the transform Lambda's pattern, ReadSigningSecrets above).
      Sid      = "ReadSigningSecrets"
      Effect   = "Allow"
      Action   = ["secretsmanager:GetSecretValue"]
      Resource = ["${local.arn_prefix}:secretsmanager:${local.regional}:secret:${var.signing_secret_prefix}*"]
    },
    ], length(var.secrets_kms_key_arns) == 0 ? [] : [{
      Sid       = "DecryptSigningSecretsThroughSecretsManager"
      Effect    = "Allow"
      Action    = ["kms:Decrypt"]
      Resource  = var.secrets_kms_key_arns
      Condition = { StringEquals = { "kms:ViaService" = "secretsmanager.${var.region}.amazonaws.com" } }
  }])
}

output "hold_producer_statements" {
  description = "The statements a producer of held deliveries needs (the transform Lambda's and the support signer's): send to hold stores, read hold states and write a scheduled hold's first state."
  value       = local.hold_producer_statements
}

locals {
  # docs/guarantees.md 10.41: send only (SendMessageBatch is authorized as sqs:SendMessage: Amazon SQS API
  # Reference, SendMessageBatch), never receive, delete or purge. Hold states: read in batches, and a window's first
  # state written conditionally (PutItem); never Scan, Update or Delete (the drain's).
  hold_producer_statements = [
    {
      Sid      = "SendToHoldStores"
      Effect   = "Allow"
      Action   = ["sqs:SendMessage"]
      Resource = [local.hold_queues]
    },
    {
      Sid       = "EncryptHeldDeliveriesThroughSqs"
      Effect    = "Allow"
      Action    = ["kms:GenerateDataKey", "kms:Decrypt"]
      Resource  = [var.holds_key_arn]
      Condition = local.through_sqs
    },
    {
      Sid      = "ReadHoldStates"
      Effect   = "Allow"
      Action   = ["dynamodb:BatchGetItem", "dynamodb:PutItem"]
      Resource = [var.holds.table_arn]
    },
    {
      # The holds table is encrypted with the main key (like the bindings table: KMS Developer Guide, "How Amazon
      # DynamoDB uses AWS KMS"), through DynamoDB and for this table only.
      Sid      = "HoldsTableEncryptionThroughDynamoDB"
      Effect   = "Allow"
      Action   = ["kms:Decrypt"]
      Resource = [var.main_key_arn]
      Condition = { StringEquals = {
        "kms:ViaService"                               = "dynamodb.${var.region}.amazonaws.com"
        "kms:EncryptionContext:aws:dynamodb:tableName" = local.holds_table
      } }
    },
  ]
}

output "pipe_trust_policy" {
  description = "Who may assume the Pipe's role."
  value = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "pipes.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = var.account_id } }
    }]
  })
}

output "pipe_role_policy" {
  description = "What the Pipe may do: read the stream, invoke the Lambda, dead-letter, log."
  value = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        # EventBridge User Guide, "Amazon Kinesis stream as a source" (execution role permissions).
        Sid    = "ReadSourceStream"
        Effect = "Allow"
        Action = [
          "kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords",
          "kinesis:GetShardIterator", "kinesis:ListShards", "kinesis:SubscribeToShard",
        ]
        Resource = [var.source_stream_arn]
      },
      {
        Sid       = "DecryptSourceStream"
        Effect    = "Allow"
        Action    = ["kms:Decrypt"]
        Resource  = [var.source_stream_key_arn]
        Condition = { StringEquals = { "kms:ViaService" = "kinesis.${var.region}.amazonaws.com" } }
      },
      {
        Sid      = "InvokeTransformFilter"
        Effect   = "Allow"
        Action   = ["lambda:InvokeFunction"]
        Resource = [var.lambda_function_arn]
      },
      {
        Sid      = "DeadLetterQueue"
        Effect   = "Allow"
        Action   = ["sqs:SendMessage"]
        Resource = [var.pipe_dlq_arn]
      },
      {
        Sid       = "EncryptedDeadLetterQueue"
        Effect    = "Allow"
        Action    = ["kms:GenerateDataKey", "kms:Decrypt"]
        Resource  = [var.main_key_arn]
        Condition = { StringEquals = { "kms:ViaService" = "sqs.${var.region}.amazonaws.com" } }
      },
      {
        # The Pipe writes its execution logs with its own role (EventBridge User Guide, "Logging and monitoring
        # Amazon EventBridge Pipes"; AWS CDK grants the same); without this its error logs never appear.
        Sid      = "WriteOwnLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = ["${var.pipe_log_group_arn}:*"]
      },
    ]
  })
}

output "api_destinations_trust_policy" {
  description = "Who may assume the role EventBridge uses to call the API destinations."
  value = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "events.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = var.account_id } }
    }]
  })
}

# One role for every endpoint's target: one pattern instead of one statement per endpoint, so the policy has the
# same size at 3 endpoints and at 3,000, and one role instead of one per trust (IAM: 1,000 roles per account).
output "api_destinations_role_policy" {
  description = "What EventBridge may do with that role: invoke this deployment's API destinations."
  value = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "InvokeThisDeploymentsApiDestinations"
      Effect   = "Allow"
      Action   = ["events:InvokeApiDestination"]
      Resource = ["${local.arn_prefix}:events:${local.regional}:api-destination/${var.name_prefix}-*"]
    }]
  })
}

output "bucket_policies" {
  description = "Bucket policies by bucket role (config, quarantine): TLS only, for every action."
  value = { for role, arn in { config = var.config_bucket_arn, quarantine = var.quarantine_bucket_arn } : role => jsonencode({
    Version = "2012-10-17"
    Statement = [{
      # Amazon S3 User Guide, "Security best practices": deny every request that is not over TLS.
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = { AWS = "*" }
      Action    = "s3:*"
      Resource  = [arn, "${arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  }) }
}
