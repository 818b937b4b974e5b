# Stack `pipeline`: everything an environment shares, one state per environment (the default workspace of the
# environment's backend key; the trusts stack's workspaces bus-<i> share that key). `make plan ENV=<env>` passes
# environments/<env>/terraform.tfvars; the trust files come from environments/<env>/trusts and are all checked here
# (this stack is planned first), but only counted: each trust's resources are in stack `trusts`, once per callbacks
# bus (stacks/trusts; docs/adr/0001-state-split.md). The trusts stack reads this stack's output trusts_stack_inputs.
locals {
  trusts_dir            = coalesce(var.trusts_dir, "${path.module}/../../environments/${var.environment}/trusts")
  lambda_zip_path       = coalesce(var.lambda_zip_path, "${path.module}/../../../../.build/lambdas/transform-filter.zip")
  signing_secret_prefix = var.signing_secret_prefix
  # connection-sync (modules/connection-sync): its zip, and each endpoint's credentials secret name and kind.
  connection_sync_zip_path = coalesce(var.connection_sync_zip_path, "${path.module}/../../../../.build/lambdas/connection-sync.zip")
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
  # a trust never moves another (stacks/trusts computes the same). The Lambda reads the choice from the subscription
  # index shards the trusts stacks write, never recomputes it.
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

}

module "pipeline" {
  source = "../../modules/pipeline"

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
  # Settings an environment may need, each reachable from its tfvars (null: the module's default).
  event_bus_logs                    = var.event_bus_logs
  quarantine_retention_days         = var.quarantine_retention_days
  config_noncurrent_version_days    = var.config_noncurrent_version_days
  source_iterator_age_alarm_seconds = var.source_iterator_age_alarm_seconds
  source_stream_shard_count         = var.source_stream_shard_count
}

# connection-sync: keeps every endpoint's connection in step with its credentials secret (modules/connection-sync).
module "connection_sync" {
  source = "../../modules/connection-sync"

  name_prefix             = module.pipeline.name_prefix
  environment             = var.environment
  zip_path                = local.connection_sync_zip_path
  kms_key_arn             = module.pipeline.kms_key_arn
  connections_kms_key_arn = module.pipeline.connections_kms_key_arn
  config_bucket           = module.pipeline.config_bucket
  lambda_trust_policy     = module.pipeline.lambda_trust_policy
  alarm_topic_arn         = module.pipeline.alarm_topic_arn
  log_retention_days      = var.log_retention_days

  signing_secret_prefix     = local.signing_secret_prefix
  credentials_secret_prefix = var.credentials_secret_prefix
  secrets_kms_key_arns      = var.secrets_kms_key_arns
  endpoint_credentials      = local.endpoint_credentials
  settings                  = var.connection_sync
}

# connection-sync's resources lived in modules/pipeline (connection-sync.tf) before issue #26: these keep a deployed
# state's objects (https://developer.hashicorp.com/terraform/language/modules/develop/refactoring).
moved {
  from = module.pipeline.aws_s3_object.connection_credentials_map
  to   = module.connection_sync.aws_s3_object.credentials_map
}
moved {
  from = module.pipeline.aws_cloudwatch_log_group.connection_sync
  to   = module.connection_sync.aws_cloudwatch_log_group.this
}
moved {
  from = module.pipeline.module.connection_sync_policies
  to   = module.connection_sync.module.policies
}
moved {
  from = module.pipeline.aws_iam_role.connection_sync
  to   = module.connection_sync.aws_iam_role.this
}
moved {
  from = module.pipeline.aws_iam_role_policy.connection_sync
  to   = module.connection_sync.aws_iam_role_policy.this
}
moved {
  from = module.pipeline.aws_lambda_function.connection_sync
  to   = module.connection_sync.aws_lambda_function.this
}
moved {
  from = module.pipeline.aws_cloudwatch_event_rule.connection_sync
  to   = module.connection_sync.aws_cloudwatch_event_rule.this
}
moved {
  from = module.pipeline.aws_cloudwatch_event_target.connection_sync
  to   = module.connection_sync.aws_cloudwatch_event_target.this
}
moved {
  from = module.pipeline.aws_lambda_permission.connection_sync
  to   = module.connection_sync.aws_lambda_permission.this
}
moved {
  from = module.pipeline.aws_cloudwatch_metric_alarm.connections_deauthorized
  to   = module.connection_sync.aws_cloudwatch_metric_alarm.deauthorized
}
moved {
  from = module.pipeline.aws_cloudwatch_metric_alarm.connection_sync_failures
  to   = module.connection_sync.aws_cloudwatch_metric_alarm.failures
}

# Support staff access: the audit log group and the viewer and operator roles (docs/guarantees.md 5.6-5.8).
module "support" {
  source = "../../modules/support"

  name_prefix              = module.pipeline.name_prefix
  kms_key_arn              = module.pipeline.kms_key_arn
  dead_letters_kms_key_arn = module.pipeline.dead_letters_kms_key_arn
  history_log_group_names  = ["/aws/lambda/${module.pipeline.lambda_function_name}", module.pipeline.bus_log_group_name]
  support                  = var.support
  # docs/guarantees.md 5.20: redrive and replay go through the support signer; the operator reads the stream's ciphertext.
  support_signer_function_arn = module.pipeline.support_signer_function_arn
  source_stream               = { arn = module.pipeline.source_stream_arn, kms_key_arn = module.pipeline.source_stream_kms_key_arn }
  # Issue #25: support reads hold states and depths, writes hold states and notices; never publishes, never receives.
  holds = { table_arn = module.pipeline.holds.table_arn }
}
