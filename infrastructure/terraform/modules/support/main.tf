# Support staff access (docs/guarantees.md 5.6-5.8): the audit log group every support action appends to, and the
# viewer and operator roles. Their documents live in modules/policies/support, where scripts/terraform/policies.test.ts
# evaluates them (who may, who may not) and measures them at the largest scale.
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  regional = "${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}"
  log_arn  = "arn:${data.aws_partition.current.partition}:logs:${local.regional}:log-group"
  roles = {
    viewer   = var.support.viewer_principal_arns
    operator = var.support.operator_principal_arns
  }
  # No principal, no role: a trust policy cannot name nobody.
  created_roles = { for role, principals in local.roles : role => principals if length(principals) > 0 }
}

# One group for every support action of the environment (the CLI writes one stream per operator session). Encrypted
# with the deployment's key; the key policy lets CloudWatch Logs use it for /<prefix>/* (modules/policies/pipeline).
resource "aws_cloudwatch_log_group" "audit" {
  name              = "/${var.name_prefix}/support-audit"
  retention_in_days = var.support.audit_log_retention_days
  kms_key_id        = var.kms_key_arn
}

module "policies" {
  source = "../policies/support"

  name_prefix             = var.name_prefix
  partition               = data.aws_partition.current.partition
  region                  = data.aws_region.current.name
  account_id              = data.aws_caller_identity.current.account_id
  dead_letters_key_arn    = var.dead_letters_kms_key_arn
  history_log_group_arns  = [for name in var.history_log_group_names : "${local.log_arn}:${name}"]
  audit_log_group_arn     = "${local.log_arn}:${aws_cloudwatch_log_group.audit.name}"
  viewer_principal_arns   = var.support.viewer_principal_arns
  operator_principal_arns = var.support.operator_principal_arns
  require_mfa             = var.support.require_mfa
  # docs/guarantees.md 5.20: the operator invokes the support signer instead of reading signing keys.
  support_signer_function_arn = var.support_signer_function_arn
  source_stream               = var.source_stream
  # Issue #25 (docs/guarantees.md 10.45): hold and resume write hold states, rotate-signing-key writes notices.
  holds = var.holds == null ? null : { table_arn = var.holds.table_arn, tables_key_arn = var.kms_key_arn }
}

resource "aws_iam_role" "support" {
  for_each = local.created_roles

  name                 = "${var.name_prefix}-support-${each.key}"
  description          = "trust-callbacks support ${each.key} (docs/guarantees.md 5.6-5.8)"
  assume_role_policy   = each.key == "viewer" ? module.policies.viewer_trust_policy : module.policies.operator_trust_policy
  max_session_duration = 3600
}

resource "aws_iam_role_policy" "support" {
  for_each = local.created_roles

  name   = "support-${each.key}"
  role   = aws_iam_role.support[each.key].id
  policy = each.key == "viewer" ? module.policies.viewer_role_policy : module.policies.operator_role_policy
}
