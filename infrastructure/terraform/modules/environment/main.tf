locals {
  trust_files = fileset(var.trusts_dir, "*.json")
  # Keyed by the file name's ODS code; the file must say the same (checked in outputs.tf).
  trust_texts = { for file in local.trust_files : trimsuffix(file, ".json") => file("${var.trusts_dir}/${file}") }
  trusts      = { for id, text in local.trust_texts : id => jsondecode(text) }
  signing_secret_names = distinct(flatten([
    for trust in values(local.trusts) : [for endpoint in trust.endpoints : endpoint.signingSecret]
  ]))
}

module "pipeline" {
  source = "../pipeline"

  environment               = var.environment
  lambda_zip_path           = var.lambda_zip_path
  source_stream_arn         = var.source_stream_arn
  source_stream_kms_key_arn = var.source_stream_kms_key_arn
  data_key_kms_key_arn      = var.data_key_kms_key_arn
  signing_secret_names      = local.signing_secret_names
  secrets_kms_key_arns      = var.secrets_kms_key_arns
  pipe                      = var.pipe
  lambda                    = var.lambda
  log_retention_days        = var.log_retention_days
  trust_dlq_names           = [for trust in module.trust : trust.dlq_name]
}

module "trust" {
  source   = "../trust"
  for_each = local.trusts

  name_prefix            = module.pipeline.name_prefix
  config                 = each.value
  subscription_document  = local.trust_texts[each.key]
  config_bucket          = module.pipeline.config_bucket
  subscriptions_prefix   = module.pipeline.subscriptions_prefix
  kms_key_arn            = module.pipeline.kms_key_arn
  connection_kms_key_arn = module.pipeline.connections_kms_key_arn
  event_bus_name         = module.pipeline.event_bus_name
  bus_source             = module.pipeline.bus_source
  alarm_actions          = [module.pipeline.alarm_topic_arn]
}
