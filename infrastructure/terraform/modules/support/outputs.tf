output "audit_log_group_name" {
  description = "Name of the support audit log group: the support CLI appends one line per action to it."
  value       = aws_cloudwatch_log_group.audit.name
}

output "audit_log_group_arn" {
  description = "ARN of the support audit log group."
  value       = aws_cloudwatch_log_group.audit.arn
}

output "role_arns" {
  description = "ARN of each support role created (viewer, operator); a role with no principal is not created and not listed."
  value       = { for role, created in aws_iam_role.support : role => created.arn }
}

output "history_log_group_arns" {
  description = "The log groups support staff may query for call history."
  value       = module.policies.history_log_group_arns
}

output "role_policies" {
  description = "The permission policy (JSON) of each support role created, for review and the root's tests."
  value       = { for role in keys(aws_iam_role.support) : role => role == "viewer" ? module.policies.viewer_role_policy : module.policies.operator_role_policy }
}
