# The support signer function's role (docs/guarantees.md 5.20), as documents only (no resources, no provider):
# rendered offline by scripts/terraform/policy-render and evaluated by scripts/terraform/policies.test.ts (who may,
# who may not, size). modules/pipeline/support-signer.tf attaches it. The signer holds what the support operator must
# never hold: the signing keys (read under the signing prefix only) and the field data keys (unwrap only, for replay).
# It re-signs what the operator chose and publishes it; it writes no secret, quarantines nothing and binds nothing.
locals {
  arn_prefix     = "arn:${var.partition}"
  regional       = "${var.region}:${var.account_id}"
  event_bus_arns = [for name in var.event_bus_names : "${local.arn_prefix}:events:${local.regional}:event-bus/${name}"]
}

output "trust_policy" {
  description = "Who may assume the support signer's role: Lambda, for this account."
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
  description = "What the support signer may do: read signing keys and subscription documents, unwrap field data keys, publish to the callbacks buses, write its own logs."
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
          Sid      = "PublishToCallbacksBuses"
          Effect   = "Allow"
          Action   = ["events:PutEvents"]
          Resource = local.event_bus_arns
        },
        {
          # The current document only (the index and each trust's document); no version reads: a redrive signs for the
          # endpoint as it is now, and a replay filters with the current document.
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
          # Replay: only data keys the platform wrapped for this purpose (the transform function's own condition).
          Sid       = "UnwrapFieldDataKeys"
          Effect    = "Allow"
          Action    = ["kms:Decrypt"]
          Resource  = [var.data_key_key_arn]
          Condition = { StringEquals = { "kms:EncryptionContext:purpose" = "trust-callbacks-field-key" } }
        },
        {
          # Signing keys only, of this environment: a secret's ARN is its name + "-" + 6 random characters (Secrets
          # Manager User Guide, "Permissions reference for Secrets Manager":
          # https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_iam-permissions.html), so one pattern
          # after the prefix's final "/" covers every endpoint's key and no credentials secret.
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
      # A redrive or replay to a held endpoint is held like any delivery (docs/guarantees.md 10.41): the transform
      # Lambda's own hold statements (modules/policies/pipeline, hold_producer_statements), so the two never drift.
      var.hold_producer_statements,
    )
  })
}
