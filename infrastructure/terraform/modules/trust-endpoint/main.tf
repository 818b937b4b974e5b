locals {
  # Connection, destination and rule share one name; the endpoint variable's validation keeps it within 64
  # characters (never cut: a cut could give two endpoints one name). endpointResourceName() in
  # schemas/src/naming.ts is the same rule for the support CLI and the local bus; both tests pin the same cases.
  name          = "${var.name_prefix}-${var.trust_id}-${var.endpoint.id}"
  auth_type     = var.endpoint.auth.type
  enabled       = var.trust_enabled && var.endpoint.enabled
  oauth_scopes  = join(" ", var.endpoint.auth.scopes)
  authorization = { oauth2_client_credentials = "OAUTH_CLIENT_CREDENTIALS", basic = "BASIC", api_key = "API_KEY" }[local.auth_type]

  # Must match endpointRulePattern() in lambdas/transform-filter/src/core/rule-pattern.ts (both are pinned by tests).
  event_pattern = {
    source = [var.bus_source]
    detail = { event = { trustid = [var.trust_id], endpointid = [var.endpoint.id] } }
  }
}

# Credentials never pass through Terraform. The connection is created with placeholders that are not credentials
# (CreateConnection requires some value: EventBridge API Reference, CreateConnection), and Terraform ignores every
# later change to them. The connection-sync function (lambdas/connection-sync, modules/connection-sync)
# puts the values of the secret named by the trust file (`credentialsSecret`) on the connection: below once per
# apply for a new or changed connection, then whenever that secret changes and on a schedule. EventBridge keeps the
# values in the connection's own secret (events!connection/...): UpdateConnection takes literal values only.
# Terraform's state keeps the placeholders, plus the client id or username EventBridge returns (DescribeConnection
# returns those two, never a password, client secret or API key).
locals {
  placeholder_identity = "placeholder-until-connection-sync"
  placeholder_secret   = "placeholder-not-a-credential"
  # CreateConnection makes EventBridge ask the OAuth token endpoint for a token at once, with the client credentials
  # it was given (the connection goes AUTHORIZING, then AUTHORIZED or DEAUTHORIZED; the provider waits for either).
  # With the trust's token URL that would be a failed client-credentials login at the trust's identity provider,
  # which may trip its lockout alarms. So the connection is created against a name under `.invalid`, reserved never to
  # resolve (RFC 6761, section 6.4: https://www.rfc-editor.org/rfc/rfc6761#section-6.4): the placeholders reach no
  # one. connection-sync puts the trust's token URL and scopes on the connection in the same UpdateConnection as the
  # secret's credentials (promise 8.9).
  placeholder_token_url = "https://token-url-set-by-connection-sync.invalid/oauth2/token"
  # Any change to these makes Terraform call UpdateConnection, and the provider sends the whole auth_parameters
  # block with it, placeholders included: the apply-time sync below runs again after any such change.
  connection_settings = sha256(jsonencode({
    type        = local.authorization
    description = "${var.trust_id} ${var.endpoint.id}: ${local.auth_type}"
    token_url   = try(var.endpoint.auth.tokenUrl, null)
    scopes      = var.endpoint.auth.scopes
    header_name = try(var.endpoint.auth.headerName, null)
    kms_key     = var.connection_kms_key_arn
  }))
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
        authorization_endpoint = local.placeholder_token_url
        http_method            = "POST"
        client_parameters {
          client_id     = local.placeholder_identity
          client_secret = local.placeholder_secret
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
        username = local.placeholder_identity
        password = local.placeholder_secret
      }
    }
    dynamic "api_key" {
      for_each = local.auth_type == "api_key" ? [1] : []
      content {
        key   = var.endpoint.auth.headerName
        value = local.placeholder_secret
      }
    }
  }

  # After create, the authorization parameters of the connection's type are connection-sync's: the credentials, and
  # the token URL, scopes and header name it takes from the trust file (first_sync's input, the connection
  # credentials map). Any update the provider sends carries the whole auth_parameters block, placeholders included,
  # so Terraform must never make one for them: with the trust's token URL in state, it would send the placeholder
  # secret to the trust's identity provider. A change of authorization type is Terraform's (the new type's block is
  # created from this configuration, placeholders and placeholder token URL), then synced. The description is
  # connection-sync's too: it names the secret version the same UpdateConnection put on the connection.
  lifecycle {
    ignore_changes = [
      description,
      auth_parameters[0].oauth[0].authorization_endpoint,
      auth_parameters[0].oauth[0].client_parameters[0].client_id,
      auth_parameters[0].oauth[0].client_parameters[0].client_secret,
      auth_parameters[0].oauth[0].oauth_http_parameters,
      auth_parameters[0].basic[0].username,
      auth_parameters[0].basic[0].password,
      auth_parameters[0].api_key[0].key,
      auth_parameters[0].api_key[0].value,
    ]
  }
}

# The first sync, and a sync after every change Terraform makes to the connection (which sends the placeholders).
# Terraform stores input and result in its state: the input names the connection, its secret and its kind; the
# function answers names, outcomes and states, never a value. A failed sync (missing or malformed secret, refused
# update) fails the apply here, before the target exists, so no delivery leaves with placeholder credentials.
# Provider docs: https://registry.terraform.io/providers/hashicorp/aws/5.100.0/docs/resources/lambda_invocation
# (CREATE_ONLY: invoked on create and on replacement, which a change of `input` or `triggers` forces).
resource "aws_lambda_invocation" "first_sync" {
  function_name   = var.connection_sync_function_name
  lifecycle_scope = "CREATE_ONLY"
  input = jsonencode({
    action = "sync"
    force  = true
    # Names and non-secret parameters only: Terraform keeps the input in its state.
    connections = [{
      name              = aws_cloudwatch_event_connection.this.name
      credentialsSecret = var.endpoint.auth.credentialsSecret
      auth              = local.auth_type
      tokenUrl          = local.auth_type == "oauth2_client_credentials" ? try(var.endpoint.auth.tokenUrl, null) : null
      scopes            = local.auth_type == "oauth2_client_credentials" ? try(var.endpoint.auth.scopes, null) : null
      headerName        = local.auth_type == "api_key" ? try(var.endpoint.auth.headerName, null) : null
    }]
  })
  triggers = {
    connection_arn = aws_cloudwatch_event_connection.this.arn
    settings       = local.connection_settings
  }

  # Any update Terraform makes to the connection sends the placeholders, also one that only repairs drift (a key
  # changed outside Terraform) and so changes neither trigger above: sync again after every one.
  lifecycle {
    replace_triggered_by = [aws_cloudwatch_event_connection.this]
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
  # Until the first sync the connection holds placeholders: the rule has no target, so nothing is delivered.
  depends_on = [aws_lambda_invocation.first_sync]

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
