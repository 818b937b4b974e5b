output "plan_role_arn" {
  description = "The plan role: equals account.json planRoleArn (the workflows read that file)."
  value       = aws_iam_role.plan.arn
  precondition {
    condition     = local.account.planRoleArn == "arn:aws:iam::${local.account.accountId}:role/${local.plan_role_name}"
    error_message = "account.json planRoleArn must be a role in the account it names."
  }
}

output "deploy_role_arn" {
  description = "The deploy role: equals account.json deployRoleArn."
  value       = aws_iam_role.deploy.arn
  precondition {
    condition     = local.account.deployRoleArn == "arn:aws:iam::${local.account.accountId}:role/${local.deploy_role_name}"
    error_message = "account.json deployRoleArn must be a role in the account it names."
  }
}

output "state_bucket" {
  description = "The state bucket of backend.hcl."
  value       = aws_s3_bucket.state.id
}
