# Every trust file is read and checked here (the checks are cheap and need no resource), so a bad trust file fails
# this stack's plan, the first of `make plan`, before anything is applied.
output "rules_per_bus" {
  description = "Rules on each callbacks bus, by bus index (compare with event_buses.rules_per_bus_quota)."
  value       = local.rules_per_bus

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

output "pipeline" {
  description = "Shared resources of the environment (what the support CLI reads; `make output` merges it with every trusts stack's trusts)."
  value = {
    # The prefix of every resource name (`<prefix>-<ODS>-<endpoint>-hold.fifo`, `<prefix>-notices`, ...).
    name_prefix             = module.pipeline.name_prefix
    event_bus_names         = module.pipeline.event_bus_names
    config_bucket           = module.pipeline.config_bucket
    subscription_index_keys = module.pipeline.subscription_index_keys # one shard per bus, written by its trusts stack
    quarantine_bucket       = module.pipeline.quarantine_bucket
    lambda_function_name    = module.pipeline.lambda_function_name
    # The function the support CLI invokes to redrive and replay (support staff never read a signing key).
    support_signer_function_name = module.pipeline.support_signer_function_name
    source_stream_arn            = module.pipeline.source_stream_arn
    pipe_arn                     = module.pipeline.pipe_arn
    pipe_dlq_url                 = module.pipeline.pipe_dlq_url
    bus_dlq_url                  = module.pipeline.bus_dlq_url
    alarm_topic_arn              = module.pipeline.alarm_topic_arn
    api_destinations_role        = module.pipeline.api_destinations_role_arn
    signing_secret_prefix        = local.signing_secret_prefix
    starting_position            = module.pipeline.starting_position
    bus_log_group_name           = module.pipeline.bus_log_group_name
    # Run once after apply (provider 5.100 cannot set a bus's log level); empty when Terraform set it.
    event_bus_log_config_commands = module.pipeline.event_bus_log_config_commands
    # Holds and notices (issue #25): the tables the support CLI's hold, resume and list use, the hold stores' URL base
    # and the functions that drain them and tell trusts.
    holds = {
      table_name          = module.pipeline.holds.table_name
      queue_url_base      = module.pipeline.holds.queue_url_base
      drain_function_name = module.pipeline.holds.drain_function_name
    }
    notices = {
      table_name             = module.pipeline.notices.table_name
      topic_arn_prefix       = module.pipeline.notices.topic_arn_prefix
      notifier_function_name = module.pipeline.notices.notifier_function_name
    }
    # The support audit log group the CLI appends to, and the support roles created (modules/support).
    support = {
      audit_log_group_name = module.support.audit_log_group_name
      audit_log_group_arn  = module.support.audit_log_group_arn
      role_arns            = module.support.role_arns
    }
  }
}

output "trusts_stack_inputs" {
  description = "What every trusts stack builds on (read there through terraform_remote_state, or passed as its variable pipeline in tests): exactly that variable's shape. Names and ARNs only."
  value = {
    name_prefix                   = module.pipeline.name_prefix
    config_bucket                 = module.pipeline.config_bucket
    subscriptions_prefix          = module.pipeline.subscriptions_prefix
    kms_key_arn                   = module.pipeline.kms_key_arn
    dead_letters_kms_key_arn      = module.pipeline.dead_letters_kms_key_arn
    connections_kms_key_arn       = module.pipeline.connections_kms_key_arn
    event_bus_names               = module.pipeline.event_bus_names
    bus_source                    = module.pipeline.bus_source
    api_destinations_role_arn     = module.pipeline.api_destinations_role_arn
    alarm_topic_arn               = module.pipeline.alarm_topic_arn
    connection_sync_function_name = module.connection_sync.function_name
    subscription_index_keys       = module.pipeline.subscription_index_keys
    # Holds and notices (issue #25): the keys of the hold stores and trust topics, and the topics' only publisher.
    holds = {
      hold_store_kms_key_arn = module.pipeline.holds.key_arn
      notices_kms_key_arn    = module.pipeline.notices.key_arn
      notifier_role_arn      = module.pipeline.notices.notifier_role_arn
    }
    # Each bus's trusts stack delivers its own bus's logs (modules/bus-logs); null when the level is OFF.
    bus_logs = module.pipeline.bus_logs
  }
}

output "index_timing" {
  description = "How long a transform-filter container may still publish by an index shard after it changed (TTL, stale bound, function timeout): what `make apply` waits between the two rounds of a change of event_buses.count (promise 8.10)."
  value       = module.pipeline.index_timing
}
