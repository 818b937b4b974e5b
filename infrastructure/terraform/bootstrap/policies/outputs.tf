output "documents" {
  description = "Every policy document of the bootstrap, as the JSON text IAM, KMS and S3 receive (IAM counts this size)."
  value       = { for name, document in local.documents : name => jsonencode(document) }
}
