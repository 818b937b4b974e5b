locals {
  # Connection, destination and rule share one name; the endpoint variable's validation keeps it within 64
  # characters (never cut: a cut could give two endpoints one name). endpointResourceName() in
  # schemas/src/naming.ts is the same rule for the support CLI and the local bus; both tests pin the same cases.
  name          = "${var.name_prefix}-${var.trust_id}-${var.endpoint.id}"
  auth_type     = var.endpoint.auth.type
  enabled       = var.trust_enabled && var.endpoint.enabled
  credentials   = jsondecode(data.aws_secretsmanager_secret_version.credentials.secret_string)
  oauth_scopes  = join(" ", var.endpoint.auth.scopes)
  authorization = { oauth2_client_credentials = "OAUTH_CLIENT_CREDENTIALS", basic = "BASIC", api_key = "API_KEY" }[local.auth_type]

  # Must match endpointRulePattern() in lambdas/transform-filter/src/core/routing.ts (both are pinned by tests).
  event_pattern = {
    source = [var.bus_source]
    detail = { event = { trustid = [var.trust_id], endpointid = [var.endpoint.id] } }
  }
}

# The trust's credentials for this endpoint live in Secrets Manager, never in a file of this repo.
# EventBridge copies them into its own connection secret; they also end up in Terraform state,
# which is why state is encrypted with a customer-managed key and access to it is restricted.
data "aws_secretsmanager_secret_version" "credentials" {
  secret_id = var.endpoint.auth.credentialsSecret
}

resource "aws_cloudwatch_event_connection" "this" {
  name               = local.name
  description        = "${var.trust_id} ${var.endpoint.id}: ${local.auth_type}"
  authorization_type = local.authorization
  kms_key_identifier = var.connection_kms_key_arn

  auth_parameters {
    dynamic "oauth" {
      for_each = local.auth_type == "oauth2_client_credentials" ? [1] : []
      content {
        authorization_endpoint = var.endpoint.auth.tokenUrl
        http_method            = "POST"
        client_parameters {
          client_id     = local.credentials.client_id
          client_secret = local.credentials.client_secret
        }
        oauth_http_parameters {
          body {
            key             = "grant_type"
            value           = "client_credentials"
            is_value_secret = false
          }
          dynamic "body" {
            for_each = length(var.endpoint.auth.scopes) > 0 ? [local.oauth_scopes] : []
            content {
              key             = "scope"
              value           = body.value
              is_value_secret = false
            }
          }
        }
      }
    }
    dynamic "basic" {
      for_each = local.auth_type == "basic" ? [1] : []
      content {
        username = local.credentials.username
        password = local.credentials.password
      }
    }
    dynamic "api_key" {
      for_each = local.auth_type == "api_key" ? [1] : []
      content {
        key   = var.endpoint.auth.headerName
        value = local.credentials.api_key
      }
    }
  }
}

resource "aws_cloudwatch_event_api_destination" "this" {
  name                             = local.name
  description                      = "${var.trust_id} ${var.endpoint.id} ${var.endpoint.description}"
  connection_arn                   = aws_cloudwatch_event_connection.this.arn
  invocation_endpoint              = var.endpoint.url
  http_method                      = "POST"
  invocation_rate_limit_per_second = var.endpoint.rateLimitPerSecond
}

resource "aws_cloudwatch_event_rule" "this" {
  name           = local.name
  description    = "Callbacks for ${var.trust_id} endpoint ${var.endpoint.id}"
  event_bus_name = var.event_bus_name
  event_pattern  = jsonencode(local.event_pattern)
  state          = local.enabled ? "ENABLED" : "DISABLED"
}

resource "aws_cloudwatch_event_target" "this" {
  rule           = aws_cloudwatch_event_rule.this.name
  event_bus_name = var.event_bus_name
  target_id      = "api-destination"
  arn            = aws_cloudwatch_event_api_destination.this.arn
  role_arn       = var.invocation_role_arn

  # The body is the CloudEvent; the signature headers come from the same event by JSONPath.
  input_path = "$.detail.event"
  http_target {
    header_parameters = {
      # Structured mode of the CloudEvents HTTP binding. API destinations take a custom Content-Type since
      # 29 February 2024 (What's New: "Amazon EventBridge API destinations now support content-type header
      # customization"); without it the request says application/json, which CloudEvents SDKs read as binary mode.
      "Content-Type"      = "application/cloudevents+json; charset=utf-8"
      "webhook-id"        = "$.detail.webhook.id"
      "webhook-timestamp" = "$.detail.webhook.timestamp"
      "webhook-signature" = "$.detail.webhook.signature"
    }
  }

  retry_policy {
    maximum_event_age_in_seconds = var.endpoint.retryPolicy.maximumEventAgeSeconds
    maximum_retry_attempts       = var.endpoint.retryPolicy.maximumRetryAttempts
  }

  dead_letter_config {
    arn = var.dead_letter_queue_arn
  }
}
