# Stack `trusts`: the same configuration once per callbacks bus, each with its own state, a workspace `bus-<i>` of the
# environment's backend (Terraform: workspaces are for "multiple deployments of the same configuration",
# https://developer.hashicorp.com/terraform/cli/workspaces). Workspace bus-<i> holds the trusts whose ODS code hashes
# to bus i, their documents, and bus i's subscription index shard, written after those documents in the same apply.
# It builds on the pipeline stack's applied output trusts_stack_inputs, read through terraform_remote_state
# (https://developer.hashicorp.com/terraform/language/state/remote-state-data) or, in tests, passed as var.pipeline.
# A bus index at or past event_buses.count (a bus removed by a smaller count) holds nothing: its plan destroys what
# its state still has. Why two stacks: docs/adr/0001-state-split.md.
data "terraform_remote_state" "pipeline" {
  count   = var.pipeline == null ? 1 : 0
  backend = "s3"
  config  = var.pipeline_state
}

locals {
  trusts_dir = coalesce(var.trusts_dir, "${path.module}/../../environments/${var.environment}/trusts")
  # The pipeline stack's values this stack builds on.
  shared = var.pipeline != null ? var.pipeline : data.terraform_remote_state.pipeline[0].outputs.trusts_stack_inputs

  # This stack's bus: the workspace's (bus-<i>), or var.bus in the default workspace (terraform test runs there).
  bus = var.bus != null ? var.bus : tonumber(trimprefix(terraform.workspace, "bus-"))

  trust_files = fileset(local.trusts_dir, "*.json")
  trust_texts = { for file in local.trust_files : trimsuffix(file, ".json") => file("${local.trusts_dir}/${file}") }
  # The same hash as the pipeline stack's bus_index_of (stacks/pipeline/main.tf), which checks every trust file.
  bus_trusts = {
    for id, text in local.trust_texts : id => jsondecode(text)
    if parseint(substr(sha256(id), 0, 8), 16) % var.event_buses.count == local.bus
  }
  on_a_bus = local.bus < var.event_buses.count

  # Round 1 of a change of event_buses.count (`make plan` sets bus_moves; promise 8.10). Trusts moving here keep their
  # rules on the bus they leave too; trusts moving away stay listed in this bus's shard until round 2, so a trust is in
  # some shard at every moment (one in none would be filtered). The Lambda takes a trust listed in two shards from the
  # shard listed first, the lower bus (guarantees 8.11), and round 1 applies the buses highest first. So the entry a
  # moving trust leaves here names the higher of its two buses: its new bus when that is higher (whose stack has applied
  # before this one, creating the new rules), this bus otherwise (its new bus's shard, read first, names the new bus once
  # that stack has applied). Either way, once round 1 is applied, every Lambda that reads the shards publishes the trust
  # to its new bus.
  incoming = { for id, move in var.bus_moves : id => local.shared.event_bus_names[move.from] if move.to == local.bus && contains(keys(local.bus_trusts), id) }
  outgoing = {
    for id, move in var.bus_moves : id => {
      key      = "${local.shared.subscriptions_prefix}${id}.json"
      sha256   = sha256(local.trust_texts[id])
      eventBus = local.shared.event_bus_names[max(move.from, move.to)]
    } if move.from == local.bus && move.to != local.bus && contains(keys(local.trust_texts), id)
  }
}

module "trust" {
  source   = "../../modules/trust"
  for_each = local.bus_trusts

  name_prefix            = local.shared.name_prefix
  config                 = each.value
  subscription_document  = local.trust_texts[each.key]
  config_bucket          = local.shared.config_bucket
  subscriptions_prefix   = local.shared.subscriptions_prefix
  kms_key_arn            = local.shared.kms_key_arn
  dlq_kms_key_arn        = local.shared.dead_letters_kms_key_arn
  connection_kms_key_arn = local.shared.connections_kms_key_arn
  event_bus_name         = local.shared.event_bus_names[local.bus]
  # Round 1 of a bus move: the bus this trust leaves, where its rules stay until round 2 (promise 8.10).
  previous_event_bus_name = lookup(local.incoming, each.key, null)
  bus_source              = local.shared.bus_source
  invocation_role_arn     = local.shared.api_destinations_role_arn
  alarm_actions           = [local.shared.alarm_topic_arn]

  connection_sync_function_name = local.shared.connection_sync_function_name
  hold_store_kms_key_arn        = local.shared.holds.hold_store_kms_key_arn
  notices_kms_key_arn           = local.shared.holds.notices_kms_key_arn
  notifier_role_arn             = local.shared.holds.notifier_role_arn
}

# This bus's logs, while the bus is within event_buses.count. Each bus's stack delivers its own bus's, so the
# deliveries of the environment's buses are created by one apply after another, never together against the one
# delivery destination (modules/bus-logs). A bus past the count (a shrink) has its deliveries removed by its stack
# before the pipeline stack removes the bus.
module "bus_logs" {
  source = "../../modules/bus-logs"
  count  = local.on_a_bus && try(local.shared.bus_logs, null) != null ? 1 : 0

  bus_name                 = local.shared.event_bus_names[local.bus]
  bus_arn                  = local.shared.bus_logs.event_bus_arns[local.bus]
  level                    = local.shared.bus_logs.level
  delivery_destination_arn = local.shared.bus_logs.delivery_destination_arn
}

# This bus's subscription index shard: every trust of this stack with its document's key, digest and bus. The Lambda
# reads every bus's shard (the pipeline stack lists their keys), revalidates each once per TTL, fetches only documents
# whose digest changed, and publishes a trust's entries to the bus its rules are on.
# Written after this stack's documents (depends_on, one state), so the Lambda never finds a digest whose document is
# not there yet. A removed trust's document is deleted in the same apply as it leaves the shard: until the shard is
# rewritten, the Lambda finds it listed but missing and retries that trust's events ("retry later", never
# "filtered"), then filters them. A bus past the count writes no shard (its trusts are on other buses now).
# New rules take "a short period of time" to match events (EventBridge API Reference, PutRule:
# https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html): in round 1 of a bus move this stack waits
# new_rule_settle_seconds after creating the rules of the trusts moving here before its shard names this bus for them.
resource "terraform_data" "new_rules_settle" {
  count = length(local.incoming) > 0 && var.new_rule_settle_seconds > 0 ? 1 : 0

  triggers_replace = local.incoming
  provisioner "local-exec" {
    command = "sleep ${var.new_rule_settle_seconds}"
  }
  depends_on = [module.trust]
}

resource "aws_s3_object" "subscription_index_shard" {
  # A bus past the count still lists the trusts moving off it until round 2 (promise 8.10).
  count = local.on_a_bus || length(local.outgoing) > 0 ? 1 : 0

  bucket = local.shared.config_bucket
  key    = local.shared.subscription_index_keys[local.bus]
  content = jsonencode({
    version = 1
    trusts = merge(local.outgoing, { for id, trust in module.trust : id => {
      key      = trust.subscription_key
      sha256   = sha256(local.trust_texts[id])
      eventBus = trust.event_bus_name
    } })
  })
  content_type           = "application/json"
  server_side_encryption = "aws:kms"
  kms_key_id             = local.shared.kms_key_arn

  depends_on = [module.trust, terraform_data.new_rules_settle]
}
