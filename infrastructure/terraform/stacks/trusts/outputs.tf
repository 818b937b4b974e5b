output "bus" {
  description = "The callbacks bus index this state holds the trusts of; `make output` merges every trusts stack's output trusts."
  value       = local.bus
  precondition {
    condition     = var.bus != null || can(regex("^bus-(0|[1-9][0-9]?)$", terraform.workspace))
    error_message = "the trusts stack is planned once per callbacks bus, in workspace bus-<i> (make plan ENV=<env> selects it), or with bus set; this is workspace ${terraform.workspace}."
  }
  # Each bus has its own workspace, bus-<i>: planning bus i in another bus's state would destroy that bus's trusts.
  # The default workspace of the environment's key is the pipeline stack's state: never planned from here. Only
  # `terraform test` (pipeline given as a variable, no backend) runs in it.
  precondition {
    condition     = terraform.workspace != "default" || var.pipeline != null
    error_message = "the default workspace holds the pipeline stack's state: plan the trusts stack in workspace bus-<i> (make plan ENV=<env> selects it)."
  }
  precondition {
    condition     = contains(["bus-${local.bus}", "default"], terraform.workspace)
    error_message = "bus ${local.bus} is planned in workspace ${terraform.workspace}, the state of another bus: select its own (terraform workspace select -or-create=true bus-${local.bus}), as make plan ENV=<env> does."
  }
}

output "trusts" {
  description = "Per trust on this bus: its bus and DLQ and, per endpoint, the connection, API destination and rule (what the support CLI needs; `make output` merges every bus's)."
  value = { for id, trust in module.trust : id => {
    event_bus_name = trust.event_bus_name
    dlq_url        = trust.dlq_url
    dlq_arn        = trust.dlq_arn
    endpoints      = trust.endpoints
    alarm_names    = trust.alarm_names
  } }

  # Trusts are assigned to buses by event_buses.count: every bus a trust can hash to must exist in the applied pipeline.
  precondition {
    condition     = length(local.shared.event_bus_names) >= var.event_buses.count
    error_message = "the applied pipeline stack has ${length(local.shared.event_bus_names)} callbacks buses, fewer than event_buses.count (${var.event_buses.count}): apply the pipeline stack first (infrastructure/terraform/README.md, \"Changing event_buses.count\")."
  }
}
