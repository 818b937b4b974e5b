# modules/connection-sync: keeps every endpoint's EventBridge connection in step with its credentials secret, so no
# credential passes through Terraform (lambdas/connection-sync; infrastructure/terraform/README.md, "Credentials").
# It runs: once per apply for each new or changed connection (aws_lambda_invocation in modules/trust-endpoint), when
# a credentials secret of this deployment gets a new current version (rule below), and on a schedule (reconcile).
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  name                      = var.name_prefix
  account_id                = data.aws_caller_identity.current.account_id
  partition                 = data.aws_partition.current.partition
  region                    = data.aws_region.current.name
  config_bucket_arn         = "arn:${local.partition}:s3:::${var.config_bucket}"
  connection_sync_name      = "${local.name}-connection-sync"
  credentials_secret_prefix = var.credentials_secret_prefix
  credentials_map_key       = "connection-sync/connections.json"
  # Keyed "<ODS>/<endpoint id>" by the caller; connections are named like modules/trust-endpoint names them.
  credentials_map = {
    for key, entry in var.endpoint_credentials : "${local.name}-${replace(key, "/", "-")}" => {
      credentialsSecret = entry.credentials_secret
      auth              = entry.auth
      tokenUrl          = entry.token_url
      scopes            = entry.scopes
      headerName        = entry.header_name
    }
  }
}

# Which secret, and which kind of credentials, each connection takes: names only, one object for every
# connection, read by the function on each run (its environment could not hold 3,000 entries: Lambda allows 4 KB).
resource "aws_s3_object" "credentials_map" {
  bucket                 = var.config_bucket
  key                    = local.credentials_map_key
  content                = jsonencode({ version = 1, connections = local.credentials_map })
  content_type           = "application/json"
  server_side_encryption = "aws:kms"
  kms_key_id             = var.kms_key_arn

  lifecycle {
    precondition {
      condition     = alltrue([for entry in values(var.endpoint_credentials) : startswith(entry.credentials_secret, local.credentials_secret_prefix)])
      error_message = "every credentialsSecret must start with ${local.credentials_secret_prefix} (connection-sync may read only secrets under it); these do not: ${join(", ", [for key, entry in var.endpoint_credentials : "${key}: ${entry.credentials_secret}" if !startswith(entry.credentials_secret, local.credentials_secret_prefix)])}."
    }
  }
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/lambda/${local.connection_sync_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

module "policies" {
  source = "../policies/connection-sync"

  name_prefix               = local.name
  partition                 = local.partition
  region                    = local.region
  account_id                = local.account_id
  credentials_secret_prefix = local.credentials_secret_prefix
  secrets_kms_key_arns      = var.secrets_kms_key_arns
  connections_key_arn       = var.connections_kms_key_arn
  config_bucket_arn         = local.config_bucket_arn
  credentials_map_key       = local.credentials_map_key
  main_key_arn              = var.kms_key_arn
  log_group_arn             = aws_cloudwatch_log_group.this.arn
}

resource "aws_iam_role" "this" {
  name = local.connection_sync_name
  # The same trust as the transform-and-filter function: Lambda, from this account (modules/pipeline output lambda_trust_policy).
  assume_role_policy = var.lambda_trust_policy
}

# Least privilege, rendered and evaluated in modules/policies/connection-sync.
resource "aws_iam_role_policy" "this" {
  name   = "connection-sync"
  role   = aws_iam_role.this.name
  policy = module.policies.role_policy
}

resource "aws_lambda_function" "this" {
  function_name                  = local.connection_sync_name
  description                    = "Puts each credentials secret's values on its EventBridge connection (secret events, schedule, apply)"
  role                           = aws_iam_role.this.arn
  filename                       = var.zip_path
  source_code_hash               = filebase64sha256(var.zip_path)
  handler                        = "index.handler"
  runtime                        = "nodejs22.x"
  architectures                  = ["arm64"]
  memory_size                    = 256
  timeout                        = var.settings.timeout_seconds
  reserved_concurrent_executions = var.settings.reserved_concurrency
  kms_key_arn                    = var.kms_key_arn

  environment {
    variables = {
      ENVIRONMENT            = var.environment
      CONNECTION_NAME_PREFIX = "${local.name}-"
      CREDENTIALS_MAP_BUCKET = var.config_bucket
      CREDENTIALS_MAP_KEY    = local.credentials_map_key
      # Sent on every UpdateConnection: without it EventBridge moves the connection to an AWS owned key.
      CONNECTION_KMS_KEY_ARN = var.connections_kms_key_arn
      CONCURRENCY            = tostring(var.settings.concurrency)
      LOG_LEVEL              = var.settings.log_level
      NODE_OPTIONS           = "--enable-source-maps"
    }
  }

  logging_config {
    log_format = "Text" # the function writes JSON lines itself (pino, EMF)
    log_group  = aws_cloudwatch_log_group.this.name
  }

  depends_on = [aws_iam_role_policy.this]
}

# Triggers, on the account's default bus (where AWS services send their events).
locals {
  rules = merge(
    {
      # Secrets Manager's own event when a staging label moves; AWSCURRENT moves on PutSecretValue, on UpdateSecret
      # with a value and at the end of a rotation. Needs no CloudTrail trail; enabled for every secret (Secrets Manager
      # User Guide, "Secret event notifications" and "Secret Label Updated event":
      # https://docs.aws.amazon.com/secretsmanager/latest/userguide/secret-event-notifications.html).
      secret-changed = {
        description = "A credentials secret of ${local.name} has a new current version: sync the connections that use it."
        pattern = jsonencode({
          source        = ["aws.secretsmanager"]
          "detail-type" = ["Secret Label Updated"]
          detail        = { name = [{ prefix = local.credentials_secret_prefix }], labelUpdated = ["AWSCURRENT"] }
        })
        schedule = null
      }
      # The reconciler: re-authorizes DEAUTHORIZED connections and catches any event that was missed.
      reconcile = {
        description = "Reconcile every connection of ${local.name} with its credentials secret."
        pattern     = null
        schedule    = "rate(${var.settings.schedule_minutes} minutes)"
      }
    },
    # CloudTrail's records of the same changes reach EventBridge only where a trail logs management events
    # (EventBridge User Guide, "Events from AWS services": https://docs.aws.amazon.com/eventbridge/latest/userguide/event-types.html).
    # A second, redundant path for deployers who have one; a repeated event finds the connection in step.
    var.settings.cloudtrail_events ? {
      secret-api-call = {
        description = "CloudTrail recorded a change to a credentials secret of ${local.name}: sync the connections that use it."
        pattern = jsonencode({
          source        = ["aws.secretsmanager"]
          "detail-type" = ["AWS API Call via CloudTrail"]
          detail = {
            eventSource = ["secretsmanager.amazonaws.com"]
            eventName   = ["PutSecretValue", "UpdateSecret", "RotateSecret"]
            requestParameters = { secretId = [
              { prefix = local.credentials_secret_prefix },
              { prefix = "arn:${local.partition}:secretsmanager:${local.region}:${local.account_id}:secret:${local.credentials_secret_prefix}" },
            ] }
          }
        })
        schedule = null
      }
    } : {},
  )
}

resource "aws_cloudwatch_event_rule" "this" {
  for_each            = local.rules
  name                = "${local.connection_sync_name}-${each.key}"
  description         = each.value.description
  event_pattern       = each.value.pattern
  schedule_expression = each.value.schedule
}

resource "aws_cloudwatch_event_target" "this" {
  for_each  = local.rules
  rule      = aws_cloudwatch_event_rule.this[each.key].name
  target_id = "connection-sync"
  arn       = aws_lambda_function.this.arn
}

resource "aws_lambda_permission" "this" {
  for_each      = local.rules
  statement_id  = "events-${each.key}"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.this[each.key].arn
}

# Each reconcile reports how many connections are in each state (one metric per state, not per connection). A
# connection DEAUTHORIZED at N reconciles in a row was re-authorized in between and refused again: its trust's
# credentials or token endpoint are wrong. Its name is in the function's log ("connection credentials updated",
# stateBefore DEAUTHORIZED); docs/runbook.md, "Credentials", has the one command that forces a sync.
resource "aws_cloudwatch_metric_alarm" "deauthorized" {
  alarm_name          = "${local.name}-connections-deauthorized"
  alarm_description   = "A connection of ${local.name} stayed DEAUTHORIZED through ${var.settings.deauthorized_alarm_evaluations} reconciles: EventBridge refuses its credentials even after a re-authorization. Runbook: docs/runbook.md, \"A connection stays deauthorized\"."
  namespace           = "TrustCallbacks"
  metric_name         = "Connections"
  dimensions          = { Environment = var.environment, service = "connection-sync", State = "DEAUTHORIZED" }
  statistic           = "Minimum"
  period              = var.settings.schedule_minutes * 60
  evaluation_periods  = var.settings.deauthorized_alarm_evaluations
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [var.alarm_topic_arn]
  ok_actions          = [var.alarm_topic_arn]
}

resource "aws_cloudwatch_metric_alarm" "failures" {
  alarm_name          = "${local.connection_sync_name}-failures"
  alarm_description   = "connection-sync could not put a credentials secret on a connection (missing or malformed secret, refused update), or could not run. The reason is in its log (\"connection not synced\"). Runbook: docs/runbook.md, \"Credentials\"."
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  evaluation_periods  = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = [var.alarm_topic_arn]
  ok_actions          = [var.alarm_topic_arn]

  metric_query {
    id          = "failures"
    expression  = "FILL(failed, 0) + FILL(errors, 0)"
    label       = "connections not synced plus failed invocations"
    return_data = true
  }
  metric_query {
    id = "failed"
    metric {
      namespace   = "TrustCallbacks"
      metric_name = "ConnectionsFailed"
      dimensions  = { Environment = var.environment, service = "connection-sync", Trigger = "schedule" }
      stat        = "Sum"
      period      = var.settings.schedule_minutes * 60
    }
  }
  metric_query {
    id = "errors"
    metric {
      namespace   = "AWS/Lambda"
      metric_name = "Errors"
      dimensions  = { FunctionName = aws_lambda_function.this.function_name }
      stat        = "Sum"
      period      = var.settings.schedule_minutes * 60
    }
  }
}
