# Renders the deployment's policy documents with realistic names and ARNs, offline: the policy modules have no
# resources and no provider, so `terraform apply` here only evaluates them. scripts/terraform/policies.test.ts
# applies this root and evaluates every document it outputs; variables choose the scale and the names.
terraform {
  required_version = ">= 1.11.0"
}

variable "name_prefix" {
  description = "Deployment prefix; the longest one the pipeline module accepts is 31 characters."
  type        = string
}

variable "account_id" {
  description = "Account of the deployment."
  type        = string
}

variable "region" {
  description = "Region of the deployment."
  type        = string
}

variable "bus_count" {
  description = "Callbacks buses."
  type        = number
}

variable "endpoints_per_trust" {
  description = "Endpoints of the trust whose DLQ policy is rendered (a trust file allows at most 20)."
  type        = number
}

locals {
  arn      = "arn:aws"
  regional = "${var.region}:${var.account_id}"
  key      = { for role in ["main", "dead-letters", "connections", "platform-stream", "platform-data-keys", "secrets", "holds", "notices"] : role => "${local.arn}:kms:${local.regional}:key/${uuidv5("dns", "${var.name_prefix}.${role}.keys.example")}" }
  buses    = [for index in range(var.bus_count) : "${var.name_prefix}-callbacks-${index}"]
  # The most principals modules/support accepts per role (10), as long as IAM Identity Center makes them.
  support_principals = { for role in ["viewers", "operators"] : role => [
    for index in range(10) : "arn:aws:iam::${var.account_id}:role/aws-reserved/sso.amazonaws.com/${var.region}/AWSReservedSSO_TrustCallbacksSupport${title(trimsuffix(role, "s"))}${index}_0123456789abcdef"
  ] }
  # Holds and notices (issue #25): the two tables, and the roles the holds and notices key policies name.
  table    = { for name in ["holds", "notices"] : name => "${local.arn}:dynamodb:${local.regional}:table/${var.name_prefix}-${name}" }
  role_arn = { for name in ["transform-filter", "support-signer", "hold-drain", "notifier"] : name => "arn:aws:iam::${var.account_id}:role/${var.name_prefix}-${name}" }
}

module "pipeline" {
  source = "../../../infrastructure/terraform/modules/policies/pipeline"

  name_prefix           = var.name_prefix
  partition             = "aws"
  region                = var.region
  account_id            = var.account_id
  main_key_arn          = local.key["main"]
  source_stream_arn     = "${local.arn}:kinesis:${local.regional}:stream/clinical-messaging-conversation-events"
  source_stream_key_arn = local.key["platform-stream"]
  data_key_key_arn      = local.key["platform-data-keys"]
  lambda_function_arn   = "${local.arn}:lambda:${local.regional}:function:${var.name_prefix}-transform-filter"
  lambda_log_group_arn  = "${local.arn}:logs:${local.regional}:log-group:/aws/lambda/${var.name_prefix}-transform-filter"
  pipe_log_group_arn    = "${local.arn}:logs:${local.regional}:log-group:/aws/vendedlogs/pipes/${var.name_prefix}-source"
  pipe_dlq_arn          = "${local.arn}:sqs:${local.regional}:${var.name_prefix}-pipe-dlq"
  event_bus_names       = local.buses
  config_bucket_arn     = "${local.arn}:s3:::${var.name_prefix}-config-${var.account_id}"
  quarantine_bucket_arn = "${local.arn}:s3:::${var.name_prefix}-quarantine-${var.account_id}"
  bindings_table_arn    = "${local.arn}:dynamodb:${local.regional}:table/${var.name_prefix}-bindings"
  subscriptions_prefix  = "subscriptions/"
  quarantine_prefix     = "quarantine/"
  signing_secret_prefix = "trust-callbacks/prod/signing/"
  secrets_kms_key_arns  = [local.key["secrets"]]
  holds = {
    table_arn          = local.table["holds"]
    producer_role_arns = [local.role_arn["transform-filter"], local.role_arn["support-signer"]]
    drain_role_arn     = local.role_arn["hold-drain"]
    notifier_role_arn  = local.role_arn["notifier"]
  }
  holds_key_arn = local.key["holds"]
}

module "hold_drain" {
  source = "../../../infrastructure/terraform/modules/policies/hold-drain"

  name_prefix           = var.name_prefix
  partition             = "aws"
  region                = var.region
  account_id            = var.account_id
  main_key_arn          = local.key["main"]
  log_group_arn         = "${local.arn}:logs:${local.regional}:log-group:/aws/lambda/${var.name_prefix}-hold-drain"
  re_signing_statements = module.pipeline.re_signing_statements
  holds_table_arn       = local.table["holds"]
  notices_table_arn     = local.table["notices"]
  holds_key_arn         = local.key["holds"]
}

module "notifier" {
  source = "../../../infrastructure/terraform/modules/policies/notifier"

  name_prefix       = var.name_prefix
  partition         = "aws"
  region            = var.region
  account_id        = var.account_id
  notices_table_arn = local.table["notices"]
  notices_key_arn   = local.key["notices"]
  main_key_arn      = local.key["main"]
  log_group_arn     = "${local.arn}:logs:${local.regional}:log-group:/aws/lambda/${var.name_prefix}-notifier"
}

module "trust_topic" {
  source            = "../../../infrastructure/terraform/modules/policies/trust-topic"
  partition         = "aws"
  account_id        = var.account_id
  topic_arn         = "${local.arn}:sns:${local.regional}:${var.name_prefix}-RAJ123-notices"
  notifier_role_arn = local.role_arn["notifier"]
}

module "connection_sync" {
  source = "../../../infrastructure/terraform/modules/policies/connection-sync"

  name_prefix               = var.name_prefix
  partition                 = "aws"
  region                    = var.region
  account_id                = var.account_id
  credentials_secret_prefix = "trust-callbacks/prod/credentials/"
  secrets_kms_key_arns      = [local.key["secrets"]]
  connections_key_arn       = local.key["connections"]
  config_bucket_arn         = "${local.arn}:s3:::${var.name_prefix}-config-${var.account_id}"
  credentials_map_key       = "connection-sync/connections.json"
  main_key_arn              = local.key["main"]
  log_group_arn             = "${local.arn}:logs:${local.regional}:log-group:/aws/lambda/${var.name_prefix}-connection-sync"
}

module "support" {
  source = "../../../infrastructure/terraform/modules/policies/support"

  name_prefix             = var.name_prefix
  partition               = "aws"
  region                  = var.region
  account_id              = var.account_id
  dead_letters_key_arn    = local.key["dead-letters"]
  history_log_group_arns  = ["${local.arn}:logs:${local.regional}:log-group:/aws/lambda/${var.name_prefix}-transform-filter", "${local.arn}:logs:${local.regional}:log-group:/aws/vendedlogs/events/${var.name_prefix}-callbacks"]
  audit_log_group_arn     = "${local.arn}:logs:${local.regional}:log-group:/${var.name_prefix}/support-audit"
  viewer_principal_arns   = local.support_principals["viewers"]
  operator_principal_arns = local.support_principals["operators"]
  # docs/guarantees.md 5.20: the operator invokes the support signer and reads the stream (ciphertext only).
  support_signer_function_arn = "${local.arn}:lambda:${local.regional}:function:${var.name_prefix}-support-signer"
  source_stream = {
    arn         = "${local.arn}:kinesis:${local.regional}:stream/clinical-messaging-conversation-events"
    kms_key_arn = local.key["platform-stream"]
  }
  holds = { table_arn = local.table["holds"], tables_key_arn = local.key["main"] }
}

module "support_signer" {
  source = "../../../infrastructure/terraform/modules/policies/support-signer"

  name_prefix           = var.name_prefix
  partition             = "aws"
  region                = var.region
  account_id            = var.account_id
  data_key_key_arn      = local.key["platform-data-keys"]
  log_group_arn         = "${local.arn}:logs:${local.regional}:log-group:/aws/lambda/${var.name_prefix}-support-signer"
  re_signing_statements = module.pipeline.re_signing_statements

  hold_producer_statements = module.pipeline.hold_producer_statements
}

module "trust_dlq" {
  source      = "../../../infrastructure/terraform/modules/policies/eventbridge-dlq"
  queue_arn   = "${local.arn}:sqs:${local.regional}:${var.name_prefix}-RAJ123-dlq"
  sender_arns = [for index in range(var.endpoints_per_trust) : "${local.arn}:events:${local.regional}:rule/${local.buses[0]}/${var.name_prefix}-RAJ123-endpoint-number-${format("%02d", index)}-bleeps"]
}

module "bus_dlq" {
  source      = "../../../infrastructure/terraform/modules/policies/eventbridge-dlq"
  queue_arn   = "${local.arn}:sqs:${local.regional}:${var.name_prefix}-bus-dlq"
  sender_arns = [for name in local.buses : "${local.arn}:events:${local.regional}:event-bus/${name}"]
}

output "documents" {
  description = "Every rendered document, by name."
  value = {
    main_key_policy               = module.pipeline.main_key_policy
    dead_letters_key_policy       = module.pipeline.dead_letters_key_policy
    connections_key_policy        = module.pipeline.connections_key_policy
    data_keys_key_policy          = module.pipeline.data_keys_key_policy
    lambda_trust_policy           = module.pipeline.lambda_trust_policy
    lambda_role_policy            = module.pipeline.lambda_role_policy
    pipe_trust_policy             = module.pipeline.pipe_trust_policy
    pipe_role_policy              = module.pipeline.pipe_role_policy
    api_destinations_trust_policy = module.pipeline.api_destinations_trust_policy
    api_destinations_role_policy  = module.pipeline.api_destinations_role_policy
    bus_dlq_policy                = module.bus_dlq.queue_policy
    config_bucket_policy          = module.pipeline.bucket_policies["config"]
    quarantine_bucket_policy      = module.pipeline.bucket_policies["quarantine"]
    trust_dlq_policy              = module.trust_dlq.queue_policy
    connection_sync_trust_policy  = module.pipeline.lambda_trust_policy # modules/connection-sync gives its role this trust (the pipeline module's lambda_trust_policy output)
    connection_sync_role_policy   = module.connection_sync.role_policy
    support_viewer_role_policy    = module.support.viewer_role_policy
    support_operator_role_policy  = module.support.operator_role_policy
    support_viewer_trust_policy   = module.support.viewer_trust_policy
    support_operator_trust_policy = module.support.operator_trust_policy
    support_signer_trust_policy   = module.support_signer.trust_policy
    support_signer_role_policy    = module.support_signer.role_policy
    holds_key_policy              = module.pipeline.holds_key_policy
    notices_key_policy            = module.pipeline.notices_key_policy
    hold_drain_trust_policy       = module.hold_drain.trust_policy
    hold_drain_role_policy        = module.hold_drain.role_policy
    notifier_trust_policy         = module.notifier.trust_policy
    notifier_role_policy          = module.notifier.role_policy
    trust_topic_policy            = module.trust_topic.topic_policy
  }
}

output "arns" {
  description = "The ARNs the documents were rendered with, for the evaluations."
  value = {
    keys               = local.key
    buses              = [for name in local.buses : "${local.arn}:events:${local.regional}:event-bus/${name}"]
    support_principals = local.support_principals
    tables             = local.table
    roles              = local.role_arn
  }
}
