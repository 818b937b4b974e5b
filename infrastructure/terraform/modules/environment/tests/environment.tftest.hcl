mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  environment     = "test"
  trusts_dir      = "tests/fixtures/three-trusts"
  lambda_zip_path = "../../../../.build/lambdas/transform-filter.zip"
}

run "n_trusts_with_m_endpoints_build_the_right_resources" {
  command = apply

  assert {
    condition     = toset(keys(output.trusts)) == toset(["RA1", "RB2", "RC3"])
    error_message = "one trust module per trust file"
  }
  assert {
    condition     = alltrue([for id, trust in output.trusts : contains(trust.alarm_names, "trust-callbacks-test-${id}-dlq-not-empty")])
    error_message = "one DLQ (and its alarm) per trust"
  }
  assert {
    condition     = length(flatten([for trust in values(output.trusts) : values(trust.endpoints)])) == 6
    error_message = "1 + 2 + 3 endpoints give 6 connections, destinations, rules and targets"
  }
  assert {
    condition     = [for trust in ["RA1", "RB2", "RC3"] : length(output.trusts[trust].endpoints)] == [1, 2, 3]
    error_message = "each trust gets exactly its own endpoints"
  }
  assert {
    condition     = length(flatten([for trust in values(output.trusts) : trust.alarm_names])) == 9
    error_message = "3 DLQ alarms and 6 endpoint alarms"
  }
  assert {
    condition     = length(jsondecode(module.pipeline.lambda_role_policy).Statement[index(jsondecode(module.pipeline.lambda_role_policy).Statement[*].Sid, "ReadSigningSecrets")].Resource) == 6
    error_message = "the Lambda may read the 6 endpoints' signing secrets"
  }
}

run "a_trust_file_must_be_named_after_its_trust" {
  command = plan
  variables {
    trusts_dir = "tests/fixtures/misnamed"
  }
  expect_failures = [output.trusts]
}
