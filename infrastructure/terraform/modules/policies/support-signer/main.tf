# The support signer function's role (docs/guarantees.md 5.20), as documents only (no resources, no provider):
# rendered offline by scripts/terraform/policy-render and evaluated by scripts/terraform/policies.test.ts (who may,
# who may not, size). modules/pipeline/support-signer.tf attaches it. The signer holds what the support operator must
# never hold: the signing keys (read under the signing prefix only) and the field data keys (unwrap only, for replay).
# It re-signs what the operator chose and publishes it; it writes no secret, quarantines nothing and binds nothing.
locals {
  arn_prefix = "arn:${var.partition}"
  regional   = "${var.region}:${var.account_id}"
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
          # Replay: only data keys the platform wrapped for this purpose (the transform function's own condition).
          Sid       = "UnwrapFieldDataKeys"
          Effect    = "Allow"
          Action    = ["kms:Decrypt"]
          Resource  = [var.data_key_key_arn]
          Condition = { StringEquals = { "kms:EncryptionContext:purpose" = "trust-callbacks-field-key" } }
        },
      ],
      # Subscription documents, signing keys, the buses: the hold drain's own statements too (modules/policies/pipeline).
      var.re_signing_statements,
      # A redrive or replay to a held endpoint is held like any delivery (docs/guarantees.md 10.41): the transform
      # Lambda's own hold statements (modules/policies/pipeline, hold_producer_statements), so the two never drift.
      var.hold_producer_statements,
    )
  })
}
