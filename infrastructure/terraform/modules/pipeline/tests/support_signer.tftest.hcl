# docs/guarantees.md 5.20: the support signer function and its own role. Who may do what with that role (and who
# may invoke the function) is evaluated in scripts/terraform/policies.test.ts; these runs check that the function
# is wired to those documents, to the deployment's buses, documents and signing prefix, and is found by its output.
mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  environment           = "test"
  lambda_zip_path       = "../../../../.build/lambdas/transform-filter.zip"
  create_test_source    = true
  signing_secret_prefix = "trust-callbacks/test/signing/"
  event_bus_count       = 2
}

run "signs_with_its_own_role_and_the_documents_the_policy_tests_evaluate" {
  command = apply

  assert {
    condition     = aws_lambda_function.support_signer.function_name == "trust-callbacks-test-support-signer" && output.support_signer_function_name == aws_lambda_function.support_signer.function_name
    error_message = "the function is <prefix>-support-signer, and the module outputs its name for the CLI"
  }
  assert {
    condition     = aws_lambda_function.support_signer.filename == "../../../../.build/lambdas/support-signer.zip" && aws_lambda_function.support_signer.handler == "index.handler"
    error_message = "the bundle is support-signer.zip beside the transform function's zip, unless the caller names another"
  }
  assert {
    condition     = aws_lambda_function.support_signer.role == aws_iam_role.support_signer.arn && aws_iam_role.support_signer.name != aws_iam_role.lambda.name
    error_message = "the signer runs as its own role, never the transform function's"
  }
  assert {
    condition     = aws_iam_role_policy.support_signer.policy == module.support_signer_policies.role_policy && aws_iam_role.support_signer.assume_role_policy == module.support_signer_policies.trust_policy
    error_message = "the role carries the documents scripts/terraform/policies.test.ts evaluates"
  }
  assert {
    condition = alltrue([
      for statement in jsondecode(aws_iam_role_policy.support_signer.policy).Statement : alltrue([for action in flatten([statement.Action]) : !strcontains(action, "*")])
    ])
    error_message = "no wildcard action in the signer's role"
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.support_signer.policy).Statement : s.Resource if s.Sid == "ReadSigningSecrets"]) == ["arn:aws:secretsmanager:eu-west-2:123456789012:secret:trust-callbacks/test/signing/*"]
    error_message = "the signer reads signing secrets under the deployment's signing prefix only"
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.support_signer.policy).Statement : s.Resource if s.Sid == "PublishToCallbacksBuses"]) == [for name in local.event_bus_names : "arn:aws:events:eu-west-2:123456789012:event-bus/${name}"]
    error_message = "the signer may PutEvents on the deployment's callbacks buses only"
  }
  assert {
    condition = (
      aws_lambda_function.support_signer.environment[0].variables.SUBSCRIPTION_INDEX_KEYS == aws_lambda_function.transform_filter.environment[0].variables.SUBSCRIPTION_INDEX_KEYS &&
      aws_lambda_function.support_signer.environment[0].variables.LAMBDA_TIMEOUT_SECONDS == tostring(aws_lambda_function.support_signer.timeout) &&
      aws_lambda_function.support_signer.environment[0].variables.BUS_SOURCE == var.bus_source &&
      aws_lambda_function.support_signer.environment[0].variables.EVENT_BUS_NAME == aws_cloudwatch_event_bus.callbacks[0].name &&
      aws_lambda_function.support_signer.environment[0].variables.DATA_KEY_KMS_KEY_ARN == local.data_key_kms_key_arn &&
      !contains(keys(aws_lambda_function.support_signer.environment[0].variables), "QUARANTINE_BUCKET") &&
      !contains(keys(aws_lambda_function.support_signer.environment[0].variables), "BINDINGS_TABLE")
    )
    error_message = "the signer reads the subscription index, publishes with the rules' bus source, unwraps with the field key, and neither quarantines nor binds"
  }
  assert {
    condition     = aws_cloudwatch_log_group.support_signer.name == "/aws/lambda/trust-callbacks-test-support-signer" && aws_cloudwatch_log_group.support_signer.kms_key_id == aws_kms_key.main.arn && aws_lambda_function.support_signer.logging_config[0].log_group == aws_cloudwatch_log_group.support_signer.name
    error_message = "the signer logs to its own encrypted, retained log group"
  }
  assert {
    condition     = aws_lambda_function.support_signer.reserved_concurrent_executions == -1 || aws_lambda_function.support_signer.reserved_concurrent_executions == null
    error_message = "the signer reserves no concurrency (docs/guarantees.md 8.4)"
  }
}

run "takes_a_support_signer_zip_the_caller_names" {
  command = plan

  variables {
    support_signer_zip_path = "../../../../.build/lambdas/support-signer.zip"
  }

  assert {
    condition     = aws_lambda_function.support_signer.filename == "../../../../.build/lambdas/support-signer.zip"
    error_message = "support_signer_zip_path names the bundle"
  }
}

run "refuses_a_support_signer_zip_that_is_not_a_zip" {
  command = plan

  variables {
    support_signer_zip_path = "../../../../.build/lambdas/support-signer"
  }

  expect_failures = [var.support_signer_zip_path]
}
