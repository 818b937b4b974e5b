# modules/connection-sync (moved from modules/pipeline, issue #26). Who may do what with its role is evaluated in
# scripts/terraform/policies.test.ts (document from modules/policies/connection-sync); these runs check the wiring.
mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  name_prefix               = "trust-callbacks-test"
  environment               = "test"
  zip_path                  = "../../../../.build/lambdas/connection-sync.zip"
  kms_key_arn               = "arn:aws:kms:eu-west-2:123456789012:key/0b6c2a52-4e1f-4c3b-9a7e-5d8f1e2a3b4c"
  connections_kms_key_arn   = "arn:aws:kms:eu-west-2:123456789012:key/1c7d3b63-5f2a-4d4c-8b9f-6e9f2a3b4c5d"
  config_bucket             = "trust-callbacks-test-config"
  lambda_trust_policy       = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"
  alarm_topic_arn           = "arn:aws:sns:eu-west-2:123456789012:trust-callbacks-test-alarms"
  signing_secret_prefix     = "trust-callbacks/test/signing/"
  credentials_secret_prefix = "trust-callbacks/test/credentials/"
}

# connection-sync: its triggers, its map of connections, its role and alarms.
run "connection_sync_is_triggered_by_secret_changes_and_a_schedule" {
  command = apply
  variables {
    endpoint_credentials = {
      "RX1/ehr" = { credentials_secret = "trust-callbacks/test/credentials/RX1/ehr", auth = "oauth2_client_credentials", token_url = "https://login.rx1.example.nhs.uk/oauth2/token", scopes = ["callbacks.write"] }
      "R0A/pas" = { credentials_secret = "trust-callbacks/test/credentials/R0A/pas", auth = "basic" }
    }
  }

  assert {
    condition = jsondecode(aws_s3_object.credentials_map.content) == {
      version = 1
      connections = {
        "trust-callbacks-test-RX1-ehr" = { credentialsSecret = "trust-callbacks/test/credentials/RX1/ehr", auth = "oauth2_client_credentials", tokenUrl = "https://login.rx1.example.nhs.uk/oauth2/token", scopes = ["callbacks.write"], headerName = null }
        "trust-callbacks-test-R0A-pas" = { credentialsSecret = "trust-callbacks/test/credentials/R0A/pas", auth = "basic", tokenUrl = null, scopes = null, headerName = null }
      }
    }
    error_message = "one map names every connection's credentials secret, kind and non-secret parameters (token URL, scopes; promise 8.9), never a value"
  }
  assert {
    condition     = aws_lambda_function.this.environment[0].variables["CREDENTIALS_MAP_KEY"] == aws_s3_object.credentials_map.key && aws_lambda_function.this.environment[0].variables["CONNECTION_NAME_PREFIX"] == "trust-callbacks-test-"
    error_message = "the function reads that map and only connections under the deployment's prefix"
  }
  assert {
    condition = jsondecode(aws_cloudwatch_event_rule.this["secret-changed"].event_pattern) == {
      source        = ["aws.secretsmanager"]
      "detail-type" = ["Secret Label Updated"]
      detail        = { name = [{ prefix = "trust-callbacks/test/credentials/" }], labelUpdated = ["AWSCURRENT"] }
    }
    error_message = "a new current version of a credentials secret under the prefix triggers a sync (Secrets Manager's own event: no trail needed)"
  }
  assert {
    condition     = aws_cloudwatch_event_rule.this["reconcile"].schedule_expression == "rate(60 minutes)" && aws_cloudwatch_event_rule.this["reconcile"].event_bus_name == null
    error_message = "the reconciler runs hourly by default, on the default bus"
  }
  assert {
    condition     = toset(keys(aws_cloudwatch_event_rule.this)) == toset(["secret-changed", "reconcile"])
    error_message = "no CloudTrail rule unless the deployer says a trail exists"
  }
  assert {
    condition = alltrue([for key, target in aws_cloudwatch_event_target.this :
      target.arn == aws_lambda_function.this.arn && aws_lambda_permission.this[key].source_arn == aws_cloudwatch_event_rule.this[key].arn
    ])
    error_message = "each rule invokes the function, and only that rule may (lambda permission bound to its ARN)"
  }
  assert {
    condition = aws_iam_role_policy.this.policy == module.policies.role_policy && alltrue([
      for statement in jsondecode(aws_iam_role_policy.this.policy).Statement : alltrue([for action in flatten([statement.Action]) : !strcontains(action, "*")])
    ])
    error_message = "the function's role carries the evaluated document, with no wildcard action"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.deauthorized.dimensions == tomap({ Environment = "test", service = "connection-sync", State = "DEAUTHORIZED" }) && aws_cloudwatch_metric_alarm.deauthorized.evaluation_periods == 2 && aws_cloudwatch_metric_alarm.deauthorized.period == 3600 && aws_cloudwatch_metric_alarm.deauthorized.statistic == "Minimum"
    error_message = "an alarm fires when a connection is DEAUTHORIZED at two reconciles in a row"
  }
}

run "connection_sync_can_also_follow_cloudtrail" {
  command = plan
  variables {
    settings = { cloudtrail_events = true, schedule_minutes = 15 }
  }
  assert {
    condition     = jsondecode(aws_cloudwatch_event_rule.this["secret-api-call"].event_pattern).detail.eventName == ["PutSecretValue", "UpdateSecret", "RotateSecret"]
    error_message = "with a trail, CloudTrail's records of secret changes trigger a sync too"
  }
  assert {
    condition     = aws_cloudwatch_event_rule.this["reconcile"].schedule_expression == "rate(15 minutes)"
    error_message = "the schedule is configurable"
  }
}

run "refuses_a_credentials_secret_outside_the_prefix" {
  command = plan
  variables {
    endpoint_credentials = { "RX1/ehr" = { credentials_secret = "someone-else/RX1/ehr/auth", auth = "basic" } }
  }
  expect_failures = [aws_s3_object.credentials_map]
}

# docs/guarantees.md 5.3: the two kinds of secret have prefixes of their own, both required, neither inside the other.
run "refuses_secret_prefixes_that_overlap" {
  command = plan
  variables {
    signing_secret_prefix     = "trust-callbacks/test/"
    credentials_secret_prefix = "trust-callbacks/test/credentials/"
  }
  expect_failures = [var.credentials_secret_prefix]
}

run "refuses_the_same_prefix_for_both_kinds" {
  command = plan
  variables {
    signing_secret_prefix     = "trust-callbacks/test/"
    credentials_secret_prefix = "trust-callbacks/test/"
  }
  expect_failures = [var.credentials_secret_prefix]
}

run "refuses_a_signing_prefix_inside_the_credentials_prefix" {
  command = plan
  variables {
    signing_secret_prefix     = "trust-callbacks/test/credentials/signing/"
    credentials_secret_prefix = "trust-callbacks/test/credentials/"
  }
  expect_failures = [var.credentials_secret_prefix]
}

run "refuses_a_missing_credentials_secret_prefix" {
  command = plan
  variables {
    credentials_secret_prefix = null
  }
  expect_failures = [var.credentials_secret_prefix]
}

run "connection_sync_follows_credentials_secrets_only" {
  command = plan
  assert {
    condition     = jsondecode(aws_cloudwatch_event_rule.this["secret-changed"].event_pattern).detail.name == [{ prefix = "trust-callbacks/test/credentials/" }]
    error_message = "a new version of a signing key never triggers connection-sync: it follows the credentials prefix, not the signing one"
  }
}

# Promise 8.4: a new account keeps at least 100 unreserved executions (PutFunctionConcurrency refuses otherwise), so
# the function reserves no concurrency unless the environment asks for it (the transform function's half of these
# runs is in modules/pipeline/tests/pipeline.tftest.hcl).
run "reserves_no_concurrency_unless_the_environment_asks" {
  command = plan

  variables {
    settings = {}
  }

  assert {
    condition     = coalesce(aws_lambda_function.this.reserved_concurrent_executions, -1) == -1
    error_message = "connection-sync must not reserve concurrency by default"
  }
}

run "reserves_concurrency_where_the_environment_asks" {
  command = plan

  variables {
    settings = { reserved_concurrency = 2 }
  }

  assert {
    condition     = aws_lambda_function.this.reserved_concurrent_executions == 2
    error_message = "an environment's reserved concurrency reaches the function"
  }
}

run "rejects_a_reservation_of_zero" {
  command = plan

  variables {
    settings = { reserved_concurrency = 0 }
  }

  expect_failures = [var.settings]
}

# The trust-endpoint module's first sync invokes the function by this output (stacks/pipeline output
# trusts_stack_inputs.connection_sync_function_name).
run "names_the_function_and_its_alarms_in_its_outputs" {
  command = apply

  assert {
    condition     = output.function_name == aws_lambda_function.this.function_name && output.function_name == "trust-callbacks-test-connection-sync"
    error_message = "output function_name is the function's name, <name_prefix>-connection-sync"
  }
  assert {
    condition     = output.alarm_names == ["trust-callbacks-test-connections-deauthorized", "trust-callbacks-test-connection-sync-failures"]
    error_message = "output alarm_names lists both alarms, named as before the move"
  }
  assert {
    condition     = output.credentials_map == { bucket = "trust-callbacks-test-config", key = "connection-sync/connections.json" } && output.connections == {}
    error_message = "output credentials_map says where the map is; output connections is empty without endpoints"
  }
  assert {
    condition     = aws_lambda_function.this.environment[0].variables["CREDENTIALS_MAP_BUCKET"] == "trust-callbacks-test-config" && aws_s3_object.credentials_map.bucket == "trust-callbacks-test-config" && aws_lambda_function.this.environment[0].variables["CONNECTION_KMS_KEY_ARN"] == var.connections_kms_key_arn
    error_message = "the function reads the map from the config bucket it is given and keeps connections on the connections key"
  }
  assert {
    condition     = aws_iam_role.this.assume_role_policy == var.lambda_trust_policy && aws_cloudwatch_log_group.this.name == "/aws/lambda/trust-callbacks-test-connection-sync" && aws_cloudwatch_log_group.this.kms_key_id == var.kms_key_arn
    error_message = "the role trusts Lambda as the transform function's does; the log group is the function's, encrypted with the main key"
  }
}
