output "part" {
  description = "Which part of the environment this state holds (var.part); `make output` merges the parts' outputs by it."
  value       = var.part
  # Each part has its own workspace, named like the part: planning one part in another's state would destroy it.
  # The default workspace is what `terraform test` runs in; `make` never uses it for an environment.
  precondition {
    condition     = contains([var.part, "default"], terraform.workspace)
    error_message = "part ${var.part} is planned in workspace ${terraform.workspace}, the state of another part: select its own (terraform workspace select -or-create=true ${var.part}), as make plan ENV=<env> does."
  }
}

# Every part reads every trust file and refuses bad ones (the checks are cheap and need no resource), so a bad
# trust file fails the pipeline part's plan, the first of `make plan`, before anything is applied.
output "trusts" {
  description = "Per trust of this bus part: its bus and DLQ and, per endpoint, the connection, API destination and rule (what the support CLI needs; `make output` merges every bus part's). Empty in the pipeline and index parts."
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
  description = "Shared resources of the environment (pipeline part; null in the others)."
  value = var.part != "pipeline" ? null : {
    event_bus_names        = module.pipeline[0].event_bus_names
    config_bucket          = module.pipeline[0].config_bucket
    subscription_index_key = "${module.pipeline[0].subscriptions_prefix}index.json" # written by the index part
    quarantine_bucket      = module.pipeline[0].quarantine_bucket
    lambda_function_name   = module.pipeline[0].lambda_function_name
    # The function the support CLI invokes to redrive and replay (support staff never read a signing key).
    support_signer_function_name = module.pipeline[0].support_signer_function_name
    source_stream_arn      = module.pipeline[0].source_stream_arn
    pipe_arn               = module.pipeline[0].pipe_arn
    pipe_dlq_url           = module.pipeline[0].pipe_dlq_url
    bus_dlq_url            = module.pipeline[0].bus_dlq_url
    alarm_topic_arn        = module.pipeline[0].alarm_topic_arn
    api_destinations_role  = module.pipeline[0].api_destinations_role_arn
    signing_secret_prefix  = local.signing_secret_prefix
    starting_position      = module.pipeline[0].starting_position
    bus_log_group_name     = module.pipeline[0].bus_log_group_name
    # Run once after apply (provider 5.100 cannot set a bus's log level); empty when Terraform set it.
    event_bus_log_config_commands = module.pipeline[0].event_bus_log_config_commands
    # The support audit log group the CLI appends to, and the support roles created (modules/support).
    support = {
      audit_log_group_name = module.support[0].audit_log_group_name
      audit_log_group_arn  = module.support[0].audit_log_group_arn
      role_arns            = module.support[0].role_arns
    }
  }
}

output "part_inputs" {
  description = "What the bus and index parts build on (pipeline part; null in the others): `make plan` writes it to .build/<env>/pipeline.tfvars.json as their variable pipeline, which has exactly this shape. Names and ARNs only."
  value = var.part != "pipeline" ? null : {
    name_prefix                   = module.pipeline[0].name_prefix
    config_bucket                 = module.pipeline[0].config_bucket
    subscriptions_prefix          = module.pipeline[0].subscriptions_prefix
    kms_key_arn                   = module.pipeline[0].kms_key_arn
    dead_letters_kms_key_arn      = module.pipeline[0].dead_letters_kms_key_arn
    connections_kms_key_arn       = module.pipeline[0].connections_kms_key_arn
    event_bus_names               = module.pipeline[0].event_bus_names
    bus_source                    = module.pipeline[0].bus_source
    api_destinations_role_arn     = module.pipeline[0].api_destinations_role_arn
    alarm_topic_arn               = module.pipeline[0].alarm_topic_arn
    connection_sync_function_name = module.pipeline[0].connection_sync_function_name
    # Each bus part delivers its own bus's logs (modules/bus-logs); null when the level is OFF.
    bus_logs = module.pipeline[0].bus_logs
  }
}
