output "function_name" {
  description = "Name of the connection-sync function (invoked at apply time by each endpoint; support staff invoke it to force a sync: docs/runbook.md, Credentials)."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "ARN of the connection-sync function."
  value       = aws_lambda_function.this.arn
}

output "role_policy" {
  description = "The function role's permission policy (JSON, from modules/policies/connection-sync), for review and the root's tests."
  value       = aws_iam_role_policy.this.policy
}

output "credentials_map" {
  description = "Where the connection credentials map the function reads is: bucket (the config bucket) and key. It holds secret names and kinds, never a value."
  value       = { bucket = aws_s3_object.credentials_map.bucket, key = aws_s3_object.credentials_map.key }
}

output "connections" {
  description = "Each connection the function keeps in step (<name_prefix>-<ODS>-<endpoint id>) and the name of its credentials secret, as written to the map: names only, never a value."
  value       = { for name, entry in local.credentials_map : name => entry.credentialsSecret }
}

output "alarm_names" {
  description = "Alarms of connection-sync: a connection that stays DEAUTHORIZED, and connections it could not sync."
  value       = [aws_cloudwatch_metric_alarm.deauthorized.alarm_name, aws_cloudwatch_metric_alarm.failures.alarm_name]
}
