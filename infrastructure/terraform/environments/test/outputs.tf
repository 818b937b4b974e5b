output "trusts" {
  description = "Per trust: DLQ and endpoints (used by the redrive tool: `terraform output -json trusts`)."
  value       = module.environment.trusts
}

output "pipeline" {
  description = "Shared resources of this environment."
  value       = module.environment.pipeline
}
