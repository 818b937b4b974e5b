mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  name_prefix                   = "trust-callbacks-test"
  trust_id                      = "RX1"
  trust_enabled                 = true
  event_bus_name                = "trust-callbacks-test-callbacks"
  dead_letter_queue_arn         = "arn:aws:sqs:eu-west-2:123456789012:trust-callbacks-test-RX1-dlq"
  invocation_role_arn           = "arn:aws:iam::123456789012:role/trust-callbacks-test-api-destinations"
  connection_kms_key_arn        = "arn:aws:kms:eu-west-2:123456789012:key/0b6c2a52-4e1f-4c3b-9a7e-5d8f1e2a3b4c"
  connection_sync_function_name = "trust-callbacks-test-connection-sync"
  endpoint = {
    id                 = "ehr"
    url                = "https://ehr.rx1.example.nhs.uk/callbacks"
    signingSecret      = "tc/test/signing/RX1/ehr"
    auth               = { type = "oauth2_client_credentials", credentialsSecret = "tc/test/credentials/RX1/ehr", tokenUrl = "https://login.rx1.example.nhs.uk/oauth2/token", scopes = ["callbacks.write", "callbacks.read"] }
    rateLimitPerSecond = 25
    retryPolicy        = { maximumEventAgeSeconds = 3600, maximumRetryAttempts = 50 }
  }
}

run "oauth_connection_destination_rule_and_target" {
  command = apply

  assert {
    condition     = aws_cloudwatch_event_connection.this.authorization_type == "OAUTH_CLIENT_CREDENTIALS"
    error_message = "OAuth endpoints need an OAUTH_CLIENT_CREDENTIALS connection"
  }
  assert {
    condition = (
      aws_cloudwatch_event_connection.this.auth_parameters[0].oauth[0].authorization_endpoint == "https://token-url-set-by-connection-sync.invalid/oauth2/token" &&
      aws_cloudwatch_event_connection.this.auth_parameters[0].oauth[0].http_method == "POST" &&
      aws_cloudwatch_event_connection.this.auth_parameters[0].oauth[0].client_parameters[0].client_id == "placeholder-until-connection-sync" &&
      aws_cloudwatch_event_connection.this.auth_parameters[0].oauth[0].client_parameters[0].client_secret == "placeholder-not-a-credential"
    )
    error_message = "promise 8.9: the connection is created against a token URL no one can answer (.invalid) with placeholder client credentials; connection-sync puts the trust's token URL and the secret's credentials on it together"
  }
  assert {
    condition = jsondecode(aws_lambda_invocation.first_sync.input) == {
      action = "sync"
      force  = true
      connections = [{
        name              = "trust-callbacks-test-RX1-ehr"
        credentialsSecret = "tc/test/credentials/RX1/ehr"
        auth              = "oauth2_client_credentials"
        tokenUrl          = "https://login.rx1.example.nhs.uk/oauth2/token"
        scopes            = ["callbacks.write", "callbacks.read"]
        headerName        = null
      }]
    }
    error_message = "the apply-time sync names the connection, its credentials secret, its kind and its non-secret parameters (token URL, scopes): no value, Terraform keeps the input in state"
  }
  assert {
    condition     = aws_lambda_invocation.first_sync.function_name == "trust-callbacks-test-connection-sync" && aws_lambda_invocation.first_sync.lifecycle_scope == "CREATE_ONLY"
    error_message = "the apply-time sync invokes the deployment's connection-sync function once per create or replacement"
  }
  assert {
    condition     = aws_lambda_invocation.first_sync.triggers["connection_arn"] == aws_cloudwatch_event_connection.this.arn && length(aws_lambda_invocation.first_sync.triggers["settings"]) == 64
    error_message = "a replaced connection, or any change Terraform makes to it (which sends the placeholders), syncs it again"
  }
  assert {
    condition = contains(
      [for body in aws_cloudwatch_event_connection.this.auth_parameters[0].oauth[0].oauth_http_parameters[0].body : "${body.key}=${body.value}"],
      "scope=callbacks.write callbacks.read",
    )
    error_message = "OAuth scopes are sent space-separated in the token request body"
  }
  assert {
    condition     = length(aws_cloudwatch_event_connection.this.auth_parameters[0].basic) == 0 && length(aws_cloudwatch_event_connection.this.auth_parameters[0].api_key) == 0
    error_message = "only the configured auth type is rendered"
  }
  assert {
    condition     = aws_cloudwatch_event_connection.this.kms_key_identifier == var.connection_kms_key_arn
    error_message = "connection secrets are encrypted with the customer-managed key"
  }
  assert {
    condition     = aws_cloudwatch_event_api_destination.this.invocation_endpoint == "https://ehr.rx1.example.nhs.uk/callbacks" && aws_cloudwatch_event_api_destination.this.invocation_rate_limit_per_second == 25 && aws_cloudwatch_event_api_destination.this.http_method == "POST"
    error_message = "the destination posts to the endpoint URL at its rate limit"
  }
  assert {
    # Pinned: must equal endpointRulePattern() in lambdas/transform-filter/src/core/rule-pattern.ts.
    condition     = aws_cloudwatch_event_rule.this.event_pattern == "{\"detail\":{\"event\":{\"endpointid\":[\"ehr\"],\"trustid\":[\"RX1\"]}},\"source\":[\"trust-callbacks\"]}"
    error_message = "the rule matches only events routed to this trust endpoint"
  }
  assert {
    condition     = aws_cloudwatch_event_rule.this.state == "ENABLED" && aws_cloudwatch_event_rule.this.event_bus_name == "trust-callbacks-test-callbacks"
    error_message = "the rule listens on the callbacks bus, enabled"
  }
  assert {
    condition     = aws_cloudwatch_event_target.this.input_path == "$.detail.event" && aws_cloudwatch_event_target.this.arn == aws_cloudwatch_event_api_destination.this.arn
    error_message = "the target delivers the CloudEvent to the API destination"
  }
  assert {
    condition = aws_cloudwatch_event_target.this.http_target[0].header_parameters == tomap({
      "Content-Type"      = "application/cloudevents+json; charset=utf-8"
      "webhook-id"        = "$.detail.webhook.id"
      "webhook-timestamp" = "$.detail.webhook.timestamp"
      "webhook-signature" = "$.detail.webhook.signature"
    })
    error_message = "structured-mode CloudEvents content type; signature headers mapped from the event by JSONPath"
  }
  assert {
    condition     = aws_cloudwatch_event_target.this.retry_policy[0].maximum_event_age_in_seconds == 3600 && aws_cloudwatch_event_target.this.retry_policy[0].maximum_retry_attempts == 50
    error_message = "the endpoint's retry policy is applied"
  }
  assert {
    condition     = aws_cloudwatch_event_target.this.dead_letter_config[0].arn == var.dead_letter_queue_arn
    error_message = "exhausted deliveries go to the trust's DLQ"
  }
  assert {
    condition     = aws_cloudwatch_event_target.this.role_arn == var.invocation_role_arn
    error_message = "the target invokes with the deployment's API-destinations role (its policy: modules/policies/pipeline)"
  }
  assert {
    condition     = aws_cloudwatch_event_rule.this.name == "trust-callbacks-test-RX1-ehr" && aws_cloudwatch_event_connection.this.name == aws_cloudwatch_event_rule.this.name && aws_cloudwatch_event_api_destination.this.name == aws_cloudwatch_event_rule.this.name
    error_message = "rule, connection and destination share the endpoint's name"
  }
}

run "basic_auth" {
  command = apply
  variables {
    endpoint = {
      id   = "pas"
      url  = "https://pas.rx1.example.nhs.uk/hooks"
      auth = { type = "basic", credentialsSecret = "tc/test/credentials/RX1/pas" }
    }
  }
  assert {
    condition     = aws_cloudwatch_event_connection.this.authorization_type == "BASIC" && aws_cloudwatch_event_connection.this.auth_parameters[0].basic[0].username == "placeholder-until-connection-sync" && aws_cloudwatch_event_connection.this.auth_parameters[0].basic[0].password == "placeholder-not-a-credential"
    error_message = "basic auth renders a BASIC connection with placeholders"
  }
  assert {
    condition     = jsondecode(aws_lambda_invocation.first_sync.input).connections[0].auth == "basic" && jsondecode(aws_lambda_invocation.first_sync.input).connections[0].credentialsSecret == "tc/test/credentials/RX1/pas"
    error_message = "the apply-time sync tells the function the kind and the secret"
  }
  assert {
    condition     = aws_cloudwatch_event_target.this.retry_policy[0].maximum_event_age_in_seconds == 86400 && aws_cloudwatch_event_target.this.retry_policy[0].maximum_retry_attempts == 185 && aws_cloudwatch_event_api_destination.this.invocation_rate_limit_per_second == 10
    error_message = "defaults: 24 h, 185 attempts, 10 requests per second"
  }
}

run "api_key_auth" {
  command = apply
  variables {
    endpoint = {
      id   = "bi"
      url  = "https://bi.rx1.example.nhs.uk/hooks"
      auth = { type = "api_key", headerName = "x-api-key", credentialsSecret = "tc/test/credentials/RX1/bi" }
    }
  }
  assert {
    condition     = aws_cloudwatch_event_connection.this.authorization_type == "API_KEY" && aws_cloudwatch_event_connection.this.auth_parameters[0].api_key[0].key == "x-api-key" && aws_cloudwatch_event_connection.this.auth_parameters[0].api_key[0].value == "placeholder-not-a-credential"
    error_message = "api_key auth renders an API_KEY connection with the configured header and a placeholder value"
  }
  assert {
    condition     = jsondecode(aws_lambda_invocation.first_sync.input).connections[0].headerName == "x-api-key"
    error_message = "the apply-time sync names the header the key goes in (connection-sync owns the auth parameters after create)"
  }
}

run "disabled_trust_disables_the_rule" {
  command = apply
  variables {
    trust_enabled = false
  }
  assert {
    condition     = aws_cloudwatch_event_rule.this.state == "DISABLED"
    error_message = "the trust kill switch disables its rules"
  }
}

run "rejects_plain_http_url" {
  command = plan
  variables {
    endpoint = {
      id   = "ehr"
      url  = "http://ehr.rx1.example.nhs.uk/callbacks"
      auth = { type = "basic", credentialsSecret = "tc/test/credentials/RX1/ehr" }
    }
  }
  expect_failures = [var.endpoint]
}

run "rejects_unknown_auth_type" {
  command = plan
  variables {
    endpoint = {
      id   = "ehr"
      url  = "https://ehr.rx1.example.nhs.uk/callbacks"
      auth = { type = "digest", credentialsSecret = "tc/test/credentials/RX1/ehr" }
    }
  }
  expect_failures = [var.endpoint]
}

run "rejects_rate_limit_out_of_range" {
  command = plan
  variables {
    endpoint = {
      id                 = "ehr"
      url                = "https://ehr.rx1.example.nhs.uk/callbacks"
      auth               = { type = "basic", credentialsSecret = "tc/test/credentials/RX1/ehr" }
      rateLimitPerSecond = 500
    }
  }
  expect_failures = [var.endpoint]
}

# The naming cases shared with schemas/src/naming.test.ts (endpointResourceName): same inputs, same verdicts.
run "names_an_endpoint_of_exactly_64_characters" {
  command = plan
  variables {
    name_prefix = jsondecode(file("../../../../schemas/fixtures/endpoint-resource-names.json")).cases[2].namePrefix
    trust_id    = jsondecode(file("../../../../schemas/fixtures/endpoint-resource-names.json")).cases[2].trustId
    endpoint = {
      id   = jsondecode(file("../../../../schemas/fixtures/endpoint-resource-names.json")).cases[2].endpointId
      url  = "https://ehr.example.nhs.uk/cb"
      auth = { type = "basic", credentialsSecret = "tc/test/credentials/${jsondecode(file("../../../../schemas/fixtures/endpoint-resource-names.json")).cases[2].trustId}/${jsondecode(file("../../../../schemas/fixtures/endpoint-resource-names.json")).cases[2].endpointId}" }
    }
  }
  assert {
    condition     = aws_cloudwatch_event_rule.this.name == jsondecode(file("../../../../schemas/fixtures/endpoint-resource-names.json")).cases[2].name
    error_message = "a 64-character name is used as it is"
  }
}

run "refuses_a_name_over_64_characters_instead_of_cutting_it" {
  command = plan
  variables {
    name_prefix = jsondecode(file("../../../../schemas/fixtures/endpoint-resource-names.json")).cases[3].namePrefix
    trust_id    = jsondecode(file("../../../../schemas/fixtures/endpoint-resource-names.json")).cases[3].trustId
    endpoint = {
      id   = jsondecode(file("../../../../schemas/fixtures/endpoint-resource-names.json")).cases[3].endpointId
      url  = "https://ehr.example.nhs.uk/cb"
      auth = { type = "basic", credentialsSecret = "tc/test/credentials/${jsondecode(file("../../../../schemas/fixtures/endpoint-resource-names.json")).cases[3].trustId}/${jsondecode(file("../../../../schemas/fixtures/endpoint-resource-names.json")).cases[3].endpointId}" }
    }
  }
  expect_failures = [var.endpoint]
}

run "rejects_a_credentials_secret_arn" {
  command = plan
  variables {
    endpoint = {
      id   = "ehr"
      url  = "https://ehr.rx1.example.nhs.uk/callbacks"
      auth = { type = "basic", credentialsSecret = "arn:aws:secretsmanager:eu-west-2:123456789012:secret:tc/RX1/ehr/auth-AbCdEf" }
    }
  }
  expect_failures = [var.endpoint]
}

# docs/guarantees.md 4.1-4.4: the cases shared with schemas/src/trust-file-refusals.test.ts (the same verdicts).

run "refuses_url_case_1_userinfo" {
  command = plan
  variables {
    endpoint = {
      id   = "ehr"
      url  = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).urls[1].url
      auth = { type = "basic", credentialsSecret = "tc/test/credentials/RX1/ehr" }
    }
  }
  expect_failures = [var.endpoint]
}

run "refuses_url_case_3_metadata_ip" {
  command = plan
  variables {
    endpoint = {
      id   = "ehr"
      url  = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).urls[3].url
      auth = { type = "basic", credentialsSecret = "tc/test/credentials/RX1/ehr" }
    }
  }
  expect_failures = [var.endpoint]
}

run "refuses_url_case_4_ipv6_ula" {
  command = plan
  variables {
    endpoint = {
      id   = "ehr"
      url  = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).urls[4].url
      auth = { type = "basic", credentialsSecret = "tc/test/credentials/RX1/ehr" }
    }
  }
  expect_failures = [var.endpoint]
}

run "refuses_url_case_5_private_ipv4" {
  command = plan
  variables {
    endpoint = {
      id   = "ehr"
      url  = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).urls[5].url
      auth = { type = "basic", credentialsSecret = "tc/test/credentials/RX1/ehr" }
    }
  }
  expect_failures = [var.endpoint]
}

run "refuses_url_case_6_localhost" {
  command = plan
  variables {
    endpoint = {
      id   = "ehr"
      url  = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).urls[6].url
      auth = { type = "basic", credentialsSecret = "tc/test/credentials/RX1/ehr" }
    }
  }
  expect_failures = [var.endpoint]
}

run "refuses_url_case_7_single_label" {
  command = plan
  variables {
    endpoint = {
      id   = "ehr"
      url  = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).urls[7].url
      auth = { type = "basic", credentialsSecret = "tc/test/credentials/RX1/ehr" }
    }
  }
  expect_failures = [var.endpoint]
}

run "refuses_url_case_8_dot_local" {
  command = plan
  variables {
    endpoint = {
      id   = "ehr"
      url  = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).urls[8].url
      auth = { type = "basic", credentialsSecret = "tc/test/credentials/RX1/ehr" }
    }
  }
  expect_failures = [var.endpoint]
}

run "refuses_url_case_9_dot_internal" {
  command = plan
  variables {
    endpoint = {
      id   = "ehr"
      url  = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).urls[9].url
      auth = { type = "basic", credentialsSecret = "tc/test/credentials/RX1/ehr" }
    }
  }
  expect_failures = [var.endpoint]
}

run "refuses_url_case_11_decimal_ip" {
  command = plan
  variables {
    endpoint = {
      id   = "ehr"
      url  = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).urls[11].url
      auth = { type = "basic", credentialsSecret = "tc/test/credentials/RX1/ehr" }
    }
  }
  expect_failures = [var.endpoint]
}

run "refuses_token_url_case_1_userinfo" {
  command = plan
  variables {
    endpoint = {
      id   = "ehr"
      url  = "https://ehr.rx1.example.nhs.uk/callbacks"
      auth = { type = "oauth2_client_credentials", tokenUrl = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).urls[1].url, credentialsSecret = "tc/test/credentials/RX1/ehr" }
    }
  }
  expect_failures = [var.endpoint]
}

run "refuses_token_url_case_3_metadata_ip" {
  command = plan
  variables {
    endpoint = {
      id   = "ehr"
      url  = "https://ehr.rx1.example.nhs.uk/callbacks"
      auth = { type = "oauth2_client_credentials", tokenUrl = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).urls[3].url, credentialsSecret = "tc/test/credentials/RX1/ehr" }
    }
  }
  expect_failures = [var.endpoint]
}

run "refuses_token_url_case_9_dot_internal" {
  command = plan
  variables {
    endpoint = {
      id   = "ehr"
      url  = "https://ehr.rx1.example.nhs.uk/callbacks"
      auth = { type = "oauth2_client_credentials", tokenUrl = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).urls[9].url, credentialsSecret = "tc/test/credentials/RX1/ehr" }
    }
  }
  expect_failures = [var.endpoint]
}

run "accepts_url_case_0" {
  command = plan
  variables {
    endpoint = {
      id   = "ehr"
      url  = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).urls[0].url
      auth = { type = "basic", credentialsSecret = "tc/test/credentials/RX1/ehr" }
    }
  }
  assert {
    condition     = aws_cloudwatch_event_api_destination.this.invocation_endpoint == jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).urls[0].url
    error_message = "a public https URL is accepted as written"
  }
}

run "accepts_url_case_15" {
  command = plan
  variables {
    endpoint = {
      id   = "ehr"
      url  = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).urls[15].url
      auth = { type = "basic", credentialsSecret = "tc/test/credentials/RX1/ehr" }
    }
  }
  assert {
    condition     = aws_cloudwatch_event_api_destination.this.invocation_endpoint == jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).urls[15].url
    error_message = "a public https URL is accepted as written"
  }
}

run "accepts_url_case_16" {
  command = plan
  variables {
    endpoint = {
      id   = "ehr"
      url  = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).urls[16].url
      auth = { type = "basic", credentialsSecret = "tc/test/credentials/RX1/ehr" }
    }
  }
  assert {
    condition     = aws_cloudwatch_event_api_destination.this.invocation_endpoint == jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).urls[16].url
    error_message = "a public https URL is accepted as written"
  }
}

run "refuses_api_key_header_case_2_webhook_signature" {
  command = plan
  variables {
    endpoint = {
      id   = "ehr"
      url  = "https://ehr.rx1.example.nhs.uk/callbacks"
      auth = { type = "api_key", headerName = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).apiKeyHeaders[2].headerName, credentialsSecret = "tc/test/credentials/RX1/ehr" }
    }
  }
  expect_failures = [var.endpoint]
}

run "refuses_api_key_header_case_4_host" {
  command = plan
  variables {
    endpoint = {
      id   = "ehr"
      url  = "https://ehr.rx1.example.nhs.uk/callbacks"
      auth = { type = "api_key", headerName = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).apiKeyHeaders[4].headerName, credentialsSecret = "tc/test/credentials/RX1/ehr" }
    }
  }
  expect_failures = [var.endpoint]
}

run "refuses_api_key_header_case_5_content_type" {
  command = plan
  variables {
    endpoint = {
      id   = "ehr"
      url  = "https://ehr.rx1.example.nhs.uk/callbacks"
      auth = { type = "api_key", headerName = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).apiKeyHeaders[5].headerName, credentialsSecret = "tc/test/credentials/RX1/ehr" }
    }
  }
  expect_failures = [var.endpoint]
}

run "refuses_secret_names_case_1" {
  command = plan
  variables {
    trust_id = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).secretNames[1].trustId
    endpoint = {
      id            = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).secretNames[1].endpointId
      url           = "https://ehr.rx1.example.nhs.uk/callbacks"
      signingSecret = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).secretNames[1].signingSecret
      auth          = { type = "basic", credentialsSecret = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).secretNames[1].credentialsSecret }
    }
  }
  expect_failures = [var.endpoint]
}

run "refuses_secret_names_case_2" {
  command = plan
  variables {
    trust_id = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).secretNames[2].trustId
    endpoint = {
      id            = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).secretNames[2].endpointId
      url           = "https://ehr.rx1.example.nhs.uk/callbacks"
      signingSecret = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).secretNames[2].signingSecret
      auth          = { type = "basic", credentialsSecret = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).secretNames[2].credentialsSecret }
    }
  }
  expect_failures = [var.endpoint]
}

run "refuses_secret_names_case_3" {
  command = plan
  variables {
    trust_id = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).secretNames[3].trustId
    endpoint = {
      id            = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).secretNames[3].endpointId
      url           = "https://ehr.rx1.example.nhs.uk/callbacks"
      signingSecret = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).secretNames[3].signingSecret
      auth          = { type = "basic", credentialsSecret = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).secretNames[3].credentialsSecret }
    }
  }
  expect_failures = [var.endpoint]
}

run "refuses_secret_names_case_4" {
  command = plan
  variables {
    trust_id = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).secretNames[4].trustId
    endpoint = {
      id            = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).secretNames[4].endpointId
      url           = "https://ehr.rx1.example.nhs.uk/callbacks"
      signingSecret = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).secretNames[4].signingSecret
      auth          = { type = "basic", credentialsSecret = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).secretNames[4].credentialsSecret }
    }
  }
  expect_failures = [var.endpoint]
}

run "refuses_secret_names_case_5" {
  command = plan
  variables {
    trust_id = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).secretNames[5].trustId
    endpoint = {
      id            = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).secretNames[5].endpointId
      url           = "https://ehr.rx1.example.nhs.uk/callbacks"
      signingSecret = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).secretNames[5].signingSecret
      auth          = { type = "basic", credentialsSecret = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).secretNames[5].credentialsSecret }
    }
  }
  expect_failures = [var.endpoint]
}

run "refuses_secret_names_case_6" {
  command = plan
  variables {
    trust_id = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).secretNames[6].trustId
    endpoint = {
      id            = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).secretNames[6].endpointId
      url           = "https://ehr.rx1.example.nhs.uk/callbacks"
      signingSecret = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).secretNames[6].signingSecret
      auth          = { type = "basic", credentialsSecret = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).secretNames[6].credentialsSecret }
    }
  }
  expect_failures = [var.endpoint]
}

run "refuses_secret_names_case_7" {
  command = plan
  variables {
    trust_id = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).secretNames[7].trustId
    endpoint = {
      id            = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).secretNames[7].endpointId
      url           = "https://ehr.rx1.example.nhs.uk/callbacks"
      signingSecret = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).secretNames[7].signingSecret
      auth          = { type = "basic", credentialsSecret = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).secretNames[7].credentialsSecret }
    }
  }
  expect_failures = [var.endpoint]
}

run "refuses_secret_names_case_8" {
  command = plan
  variables {
    trust_id = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).secretNames[8].trustId
    endpoint = {
      id            = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).secretNames[8].endpointId
      url           = "https://ehr.rx1.example.nhs.uk/callbacks"
      signingSecret = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).secretNames[8].signingSecret
      auth          = { type = "basic", credentialsSecret = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).secretNames[8].credentialsSecret }
    }
  }
  expect_failures = [var.endpoint]
}

run "accepts_secret_names_case_0" {
  command = plan
  variables {
    trust_id = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).secretNames[0].trustId
    endpoint = {
      id            = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).secretNames[0].endpointId
      url           = "https://ehr.rx1.example.nhs.uk/callbacks"
      signingSecret = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).secretNames[0].signingSecret
      auth          = { type = "basic", credentialsSecret = jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).secretNames[0].credentialsSecret }
    }
  }
  assert {
    condition     = jsondecode(aws_lambda_invocation.first_sync.input).connections[0].credentialsSecret == jsondecode(file("../../../../schemas/fixtures/trust-file-refusals.json")).secretNames[0].credentialsSecret
    error_message = "the endpoint's own credentials secret is accepted"
  }
}
