# The connection-sync function's policies, as documents only (no resources, no provider): rendered offline by
# scripts/terraform/policy-render and evaluated by scripts/terraform/policies.test.ts (who may, who may not, size at
# 3,000 endpoints). Every resource is this deployment's: an exact ARN, or a pattern under its prefix, so the policy
# has the same size at 3 and at 3,000 endpoints.
locals {
  arn_prefix = "arn:${var.partition}"
  regional   = "${var.region}:${var.account_id}"
  # Connection ARNs are connection/<name>/<uuid> (EventBridge API Reference, DescribeConnection's ConnectionArn).
  connections = "${local.arn_prefix}:events:${local.regional}:connection/${var.name_prefix}-*"
  # EventBridge keeps each connection's credentials in a secret it names events!connection/<connection name>/<uuid>
  # (EventBridge User Guide, "Encrypting EventBridge connection authorization with AWS KMS keys": the encryption
  # context's SecretARN; AWS managed policy AmazonEventBridgeApiDestinationsServiceRolePolicy).
  connection_secrets = "${local.arn_prefix}:secretsmanager:${local.regional}:secret:events!connection/${var.name_prefix}-*"
}

output "role_policy" {
  description = "What the connection-sync function may do: read this deployment's credentials secrets and map, update this deployment's connections."
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
          # ListConnections supports no resource-level permission (Service Authorization Reference, Amazon
          # EventBridge: no resource type for ListConnections), so it cannot be narrowed; it returns names and states
          # only, and the function asks only for names under the prefix.
          Sid      = "ListConnections"
          Effect   = "Allow"
          Action   = ["events:ListConnections"]
          Resource = ["*"]
        },
        {
          Sid      = "DescribeAndUpdateThisDeploymentsConnections"
          Effect   = "Allow"
          Action   = ["events:DescribeConnection", "events:UpdateConnection"]
          Resource = [local.connections]
        },
        {
          # The credentials secrets are named in the trust files under trust-callbacks/<env>/credentials/ (the plan
          # refuses others): one pattern, whatever the number of endpoints, and never a signing key (the prefixes are
          # disjoint, checked in modules/pipeline). The ARN is the name + "-" + 6 random characters (Secrets Manager
          # User Guide, https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_iam-permissions.html).
          # Read only; nothing else of Secrets Manager.
          Sid      = "ReadCredentialsSecrets"
          Effect   = "Allow"
          Action   = ["secretsmanager:GetSecretValue"]
          Resource = ["${local.arn_prefix}:secretsmanager:${local.regional}:secret:${var.credentials_secret_prefix}*"]
        },
        {
          # EventBridge writes the values UpdateConnection carries into the connection's own secret with its
          # service-linked role (EventBridge User Guide, "Using roles to create secrets for API destinations"). Whether
          # the caller also needs these actions on that secret is not documented; granting them on this deployment's
          # connection secrets only gives nothing UpdateConnection does not already allow, and makes it not matter.
          Sid      = "ThisDeploymentsConnectionSecretsThroughEventBridge"
          Effect   = "Allow"
          Action   = ["secretsmanager:CreateSecret", "secretsmanager:UpdateSecret", "secretsmanager:PutSecretValue", "secretsmanager:DescribeSecret"]
          Resource = [local.connection_secrets]
        },
        {
          # Likewise for the customer-managed key of the connection secrets: only through Secrets Manager, only for
          # this deployment's connection secrets (the encryption context EventBridge documents for them).
          Sid      = "ConnectionsKeyThroughSecretsManager"
          Effect   = "Allow"
          Action   = ["kms:GenerateDataKey", "kms:Decrypt"]
          Resource = [var.connections_key_arn]
          Condition = {
            StringEquals = { "kms:ViaService" = "secretsmanager.${var.region}.amazonaws.com" }
            StringLike   = { "kms:EncryptionContext:SecretARN" = [local.connection_secrets] }
          }
        },
        {
          Sid      = "ReadConnectionCredentialsMap"
          Effect   = "Allow"
          Action   = ["s3:GetObject"]
          Resource = ["${var.config_bucket_arn}/${var.credentials_map_key}"]
        },
        {
          Sid       = "ConfigBucketEncryptionThroughS3"
          Effect    = "Allow"
          Action    = ["kms:Decrypt"]
          Resource  = [var.main_key_arn]
          Condition = { StringEquals = { "kms:ViaService" = "s3.${var.region}.amazonaws.com" } }
        },
      ],
      length(var.secrets_kms_key_arns) == 0 ? [] : [{
        Sid       = "DecryptCredentialsSecretsThroughSecretsManager"
        Effect    = "Allow"
        Action    = ["kms:Decrypt"]
        Resource  = var.secrets_kms_key_arns
        Condition = { StringEquals = { "kms:ViaService" = "secretsmanager.${var.region}.amazonaws.com" } }
      }],
    )
  })
}
