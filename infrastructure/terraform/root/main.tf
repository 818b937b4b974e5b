# The one root every environment deploys: `make plan ENV=<env>` passes environments/<env>/terraform.tfvars and
# backend.hcl, and the trust files come from environments/<env>/trusts. Nothing is copied per environment.
#
# An environment is planned in parts, each with its own state (a workspace of the environment's backend), because
# Terraform's plan time per resource grows with the size of the plan (README, "Plan time at scale"):
#   pipeline  module.pipeline: everything shared (planned first: every part reads and checks every trust file)
#   bus-<i>   module.trust for the trusts whose ODS code hashes to callbacks bus i (at most the rules-per-bus quota)
#   index     the subscription index, applied after every bus part
# The bus and index parts build on the pipeline part's applied outputs (var.pipeline, from its output part_inputs).
locals {
  trusts_dir            = coalesce(var.trusts_dir, "${path.module}/../environments/${var.environment}/trusts")
  lambda_zip_path       = coalesce(var.lambda_zip_path, "${path.module}/../../../.build/lambdas/transform-filter.zip")
  signing_secret_prefix = var.signing_secret_prefix
  # connection-sync (modules/pipeline/connection-sync.tf): its zip, and each endpoint's credentials secret name and kind.
  connection_sync_zip_path = coalesce(var.connection_sync_zip_path, "${path.module}/../../../.build/lambdas/connection-sync.zip")
  endpoint_credentials = merge([for id, trust in local.trusts : {
    for endpoint in trust.endpoints : "${id}/${endpoint.id}" => {
      credentials_secret = endpoint.auth.credentialsSecret
      auth               = endpoint.auth.type
      token_url          = try(endpoint.auth.tokenUrl, null)
      scopes             = try(endpoint.auth.scopes, null)
      header_name        = try(endpoint.auth.headerName, null)
    }
  }]...)

  trust_files = fileset(local.trusts_dir, "*.json")
  # Keyed by the file name's ODS code; the file must say the same (checked in outputs.tf).
  trust_texts = { for file in local.trust_files : trimsuffix(file, ".json") => file("${local.trusts_dir}/${file}") }
  trusts      = { for id, text in local.trust_texts : id => jsondecode(text) }

  # Each trust's rules live on one callbacks bus, chosen by a stable hash of its ODS code, so adding or removing
  # a trust never moves another. The Lambda reads the choice from the subscription index (below), never recomputes it.
  bus_index_of = { for id in keys(local.trusts) : id => parseint(substr(sha256(id), 0, 8), 16) % var.event_buses.count }
  rules_per_bus = {
    for index in range(var.event_buses.count) : index => sum(concat([0], [
      for id, trust in local.trusts : length(trust.endpoints) if local.bus_index_of[id] == index
    ]))
  }
  endpoint_count = sum(concat([0], [for trust in values(local.trusts) : length(trust.endpoints)]))
  signing_secrets = flatten([for id, trust in local.trusts : [for endpoint in trust.endpoints : {
    trust = id, endpoint = try(endpoint.id, "?"), name = try(endpoint.signingSecret, "")
  }]])

  # This plan's part (var.part): bus-<i> plans the trusts on bus i; an index at or past event_buses.count (a bus
  # removed by a smaller count) holds no trusts, so its plan destroys what its state still has.
  bus_part    = startswith(var.part, "bus-") ? tonumber(trimprefix(var.part, "bus-")) : null
  part_trusts = { for id, trust in local.trusts : id => trust if local.bus_index_of[id] == local.bus_part && local.bus_part != null }
  # The pipeline part's values the other parts build on; null in the pipeline part (which has its module instead).
  shared = var.pipeline
}

module "pipeline" {
  source = "../modules/pipeline"
  count  = var.part == "pipeline" ? 1 : 0

  environment           = var.environment
  lambda_zip_path       = local.lambda_zip_path
  source_stream         = var.source_stream
  create_test_source    = var.create_test_source
  signing_secret_prefix = local.signing_secret_prefix
  secrets_kms_key_arns  = var.secrets_kms_key_arns
  pipe                  = var.pipe
  lambda                = var.lambda
  event_bus_count       = var.event_buses.count
  deployment_size       = { trusts = length(local.trusts), endpoints = local.endpoint_count }
  account_quotas = {
    target_invocations_per_second = var.account_quotas.target_invocations_per_second
    put_events_per_second         = var.account_quotas.put_events_per_second
  }
  log_retention_days = var.log_retention_days

  connection_sync_zip_path  = local.connection_sync_zip_path
  credentials_secret_prefix = var.credentials_secret_prefix
  endpoint_credentials      = local.endpoint_credentials
  connection_sync           = var.connection_sync
}

# Support staff access (pipeline part): the audit log group and the viewer and operator roles (docs/guarantees.md 5.6-5.8).
module "support" {
  source = "../modules/support"
  count  = var.part == "pipeline" ? 1 : 0

  name_prefix              = module.pipeline[0].name_prefix
  kms_key_arn              = module.pipeline[0].kms_key_arn
  dead_letters_kms_key_arn = module.pipeline[0].dead_letters_kms_key_arn
  history_log_group_names  = ["/aws/lambda/${module.pipeline[0].lambda_function_name}", module.pipeline[0].bus_log_group_name]
  support                  = var.support
  # docs/guarantees.md 5.20: redrive and replay go through the support signer; the operator reads the stream's ciphertext.
  support_signer_function_arn = module.pipeline[0].support_signer_function_arn
  source_stream               = { arn = module.pipeline[0].source_stream_arn, kms_key_arn = module.pipeline[0].source_stream_kms_key_arn }
}

# Only in a bus part: the trusts on that bus.
module "trust" {
  source   = "../modules/trust"
  for_each = local.part_trusts

  name_prefix            = local.shared.name_prefix
  config                 = each.value
  subscription_document  = local.trust_texts[each.key]
  config_bucket          = local.shared.config_bucket
  subscriptions_prefix   = local.shared.subscriptions_prefix
  kms_key_arn            = local.shared.kms_key_arn
  dlq_kms_key_arn        = local.shared.dead_letters_kms_key_arn
  connection_kms_key_arn = local.shared.connections_kms_key_arn
  event_bus_name         = local.shared.event_bus_names[local.bus_index_of[each.key]]
  bus_source             = local.shared.bus_source
  invocation_role_arn    = local.shared.api_destinations_role_arn
  alarm_actions          = [local.shared.alarm_topic_arn]

  connection_sync_function_name = local.shared.connection_sync_function_name
}

# Only in a bus part of a bus within event_buses.count: that bus's logs. Each bus part delivers its own bus's, so
# the deliveries of the environment's buses are created by one apply after another, never together against the one
# delivery destination (modules/bus-logs). A bus past the count (a shrink) has its deliveries removed by its part
# before the pipeline part removes the bus.
module "bus_logs" {
  source = "../modules/bus-logs"
  count  = local.bus_part != null && try(local.shared.bus_logs, null) != null ? (local.bus_part < var.event_buses.count ? 1 : 0) : 0

  bus_name                 = local.shared.event_bus_names[local.bus_part]
  bus_arn                  = local.shared.bus_logs.event_bus_arns[local.bus_part]
  level                    = local.shared.bus_logs.level
  delivery_destination_arn = local.shared.bus_logs.delivery_destination_arn
}

# One object lists every deployed trust document with its digest and bus: the Lambda revalidates this one
# object instead of one per trust, fetches only documents whose digest changed, and publishes each trust's
# entries to the bus its rules are on. It changes whenever any trust file changes.
# Only in the index part. It must be written after the documents it lists, so the Lambda never finds a digest whose
# document is not there yet: in one state that was `depends_on = [module.trust]`; across states it is the order of
# `make apply` (pipeline, then every bus part, then this part; a failed bus part stops it before the index). A removed
# trust's document is deleted by its bus part before the index stops listing it: meanwhile the Lambda retries that
# trust's events (a listed document that is missing is "retry later", never "filtered"), then filters them.
resource "aws_s3_object" "subscription_index" {
  count = var.part == "index" ? 1 : 0

  bucket = local.shared.config_bucket
  key    = "${local.shared.subscriptions_prefix}index.json"
  content = jsonencode({
    version = 1
    trusts = { for id, text in local.trust_texts : id => {
      key      = "${local.shared.subscriptions_prefix}${id}.json"
      sha256   = sha256(text)
      eventBus = local.shared.event_bus_names[local.bus_index_of[id]]
    } }
  })
  content_type           = "application/json"
  server_side_encryption = "aws:kms"
  kms_key_id             = local.shared.kms_key_arn
}
