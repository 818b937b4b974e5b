output "trusts" {
  description = "Per trust: its bus and DLQ and, per endpoint, the connection, API destination and rule (what the support CLI needs)."
  value = { for id, trust in module.trust : id => {
    event_bus_name = trust.event_bus_name
    dlq_url        = trust.dlq_url
    dlq_arn        = trust.dlq_arn
    endpoints      = trust.endpoints
    alarm_names    = trust.alarm_names
  } }

  precondition {
    condition     = alltrue([for id, trust in local.trusts : try(trust.trustId, "") == id])
    error_message = "each trust file must be named <trustId>.json after the trustId it contains."
  }
  precondition {
    condition     = alltrue([for secret in local.signing_secrets : startswith(secret.name, local.signing_secret_prefix)])
    error_message = "every signingSecret must start with ${local.signing_secret_prefix} (the Lambda may read only secrets under it); these do not: ${join(", ", [for s in local.signing_secrets : "${s.trust}/${s.endpoint}: ${s.name}" if !startswith(s.name, local.signing_secret_prefix)])}."
  }
  precondition {
    condition     = local.endpoint_count <= min(var.account_quotas.api_destinations, var.account_quotas.connections)
    error_message = "${local.endpoint_count} endpoints need as many API destinations and connections; this account allows ${var.account_quotas.api_destinations} and ${var.account_quotas.connections} (EventBridge quotas \"API destinations\" and \"Connections\", 3,000 each by default, adjustable). Request an increase in Service Quotas and set account_quotas to the granted values."
  }
  precondition {
    condition     = alltrue([for index, rules in local.rules_per_bus : rules <= var.event_buses.rules_per_bus_quota])
    error_message = "a callbacks bus would hold more rules than the quota \"Rules per event bus\" (${var.event_buses.rules_per_bus_quota}): ${jsonencode(local.rules_per_bus)} rules per bus index. Raise the quota in Service Quotas (Amazon EventBridge, \"Rules per event bus\") and set event_buses.rules_per_bus_quota to the granted value, or add buses with event_buses.count (moves trusts: see infrastructure/terraform/README.md)."
  }
}

output "rules_per_bus" {
  description = "Rules on each callbacks bus, by bus index (compare with event_buses.rules_per_bus_quota)."
  value       = local.rules_per_bus
}

output "pipeline" {
  description = "Shared resources of the environment."
  value = {
    event_bus_names        = module.pipeline.event_bus_names
    config_bucket          = module.pipeline.config_bucket
    subscription_index_key = aws_s3_object.subscription_index.key
    quarantine_bucket      = module.pipeline.quarantine_bucket
    lambda_function_name   = module.pipeline.lambda_function_name
    source_stream_arn      = module.pipeline.source_stream_arn
    pipe_arn               = module.pipeline.pipe_arn
    pipe_dlq_url           = module.pipeline.pipe_dlq_url
    bus_dlq_url            = module.pipeline.bus_dlq_url
    alarm_topic_arn        = module.pipeline.alarm_topic_arn
    api_destinations_role  = module.pipeline.api_destinations_role_arn
    signing_secret_prefix  = local.signing_secret_prefix
    starting_position      = module.pipeline.starting_position
    bus_log_group_name     = module.pipeline.bus_log_group_name
    # Run once after apply (provider 5.100 cannot set a bus's log level); empty when Terraform set it.
    event_bus_log_config_commands = module.pipeline.event_bus_log_config_commands
  }
}
