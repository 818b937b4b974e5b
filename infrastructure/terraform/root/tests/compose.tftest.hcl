# The root composed from a trusts directory of fixtures, mocked AWS, part by part as `make apply` applies them:
# the pipeline part, then bus parts fed with its output part_inputs, then the index part.
mock_provider "aws" {
  source = "../tests/mocks"
}

variables {
  environment        = "test"
  aws_account_id     = "123456789012"
  owner              = "tests"
  create_test_source = true
  trusts_dir         = "tests/fixtures/three-trusts"
  # docs/guarantees.md 5.3: both required, each its own kind.
  signing_secret_prefix     = "trust-callbacks/test/signing/"
  credentials_secret_prefix = "trust-callbacks/test/credentials/"
}

run "the_pipeline_part_holds_the_shared_resources_and_no_trust" {
  command = apply
  variables {
    part = "pipeline"
  }

  assert {
    condition     = output.trusts == {} && length(module.pipeline) == 1 && length(aws_s3_object.subscription_index) == 0
    error_message = "the pipeline part holds module.pipeline only: no trust module, no index"
  }
  assert {
    condition     = output.pipeline.signing_secret_prefix == "trust-callbacks/test/signing/"
    error_message = "the signing keys' prefix is the one the environment sets (trust-callbacks/<environment>/signing/)"
  }
  assert {
    condition = output.part_inputs == {
      name_prefix                   = module.pipeline[0].name_prefix
      config_bucket                 = module.pipeline[0].config_bucket
      subscriptions_prefix          = module.pipeline[0].subscriptions_prefix
      kms_key_arn                   = module.pipeline[0].kms_key_arn
      dead_letters_kms_key_arn      = module.pipeline[0].dead_letters_kms_key_arn
      connections_kms_key_arn       = module.pipeline[0].connections_kms_key_arn
      event_bus_names               = ["trust-callbacks-test-callbacks-0"]
      bus_source                    = module.pipeline[0].bus_source
      api_destinations_role_arn     = module.pipeline[0].api_destinations_role_arn
      alarm_topic_arn               = module.pipeline[0].alarm_topic_arn
      connection_sync_function_name = module.pipeline[0].connection_sync_function_name
      bus_logs                      = module.pipeline[0].bus_logs
    }
    error_message = "part_inputs carries the pipeline's values the other parts need, shaped like their variable pipeline"
  }
  assert {
    condition     = output.pipeline.subscription_index_key == "subscriptions/index.json"
    error_message = "the pipeline part names the index the index part writes"
  }
}

run "n_trusts_with_m_endpoints_build_the_right_resources" {
  command = apply
  variables {
    part     = "bus-0"
    pipeline = run.the_pipeline_part_holds_the_shared_resources_and_no_trust.part_inputs
  }

  assert {
    condition     = toset(keys(output.trusts)) == toset(["RA1", "RB2", "RC3"])
    error_message = "one trust module per trust file (one bus: every trust is in bus-0)"
  }
  assert {
    condition     = alltrue([for id, trust in output.trusts : trust.alarm_names == ["trust-callbacks-test-${id}-dlq-not-empty"]])
    error_message = "one DLQ (and its alarm) per trust"
  }
  assert {
    condition     = [for trust in ["RA1", "RB2", "RC3"] : length(output.trusts[trust].endpoints)] == [1, 2, 3]
    error_message = "each trust gets exactly its own endpoints (1 + 2 + 3 connections, destinations, rules and targets)"
  }
  assert {
    condition     = output.pipeline == null && output.part_inputs == null && length(aws_s3_object.subscription_index) == 0
    error_message = "a bus part holds its trusts only"
  }
  assert {
    condition     = alltrue([for id, trust in module.trust : trust.subscription_key == "subscriptions/${id}.json"])
    error_message = "each trust's document is uploaded under the pipeline's subscriptions prefix"
  }
}

run "pipeline_with_four_buses" {
  command = apply
  variables {
    part        = "pipeline"
    event_buses = { count = 4 }
  }

  assert {
    condition     = sum(values(output.rules_per_bus)) == 6 && length(output.rules_per_bus) == 4
    error_message = "rules are counted per bus"
  }
  assert {
    condition     = output.part_inputs.event_bus_names == [for index in range(4) : "trust-callbacks-test-callbacks-${index}"]
    error_message = "the pipeline part creates event_buses.count buses"
  }
}

# RB2 hashes to bus 0 of 4, RA1 and RC3 to bus 1, none to 2 or 3.
run "spreads_trusts_over_buses_bus_0" {
  command = apply
  variables {
    part        = "bus-0"
    event_buses = { count = 4 }
    pipeline    = run.pipeline_with_four_buses.part_inputs
  }

  assert {
    condition     = keys(output.trusts) == ["RB2"] && output.trusts.RB2.event_bus_name == "trust-callbacks-test-callbacks-0"
    error_message = "bus part 0 holds exactly the trusts whose ODS code hashes to bus 0, with their rules on that bus"
  }
  # Promise 8.5: each bus part delivers its own bus's logs, so the buses' deliveries are made by one apply after
  # another, never together.
  assert {
    condition     = length(module.bus_logs) == 1 && module.bus_logs[0].log_types == ["ERROR_LOGS", "INFO_LOGS"] && length(module.bus_logs[0].delivery_ids) == 2
    error_message = "bus part 0 delivers bus 0's ERROR and INFO logs"
  }
}

run "spreads_trusts_over_buses_bus_1" {
  command = apply
  variables {
    part        = "bus-1"
    event_buses = { count = 4 }
    pipeline    = run.pipeline_with_four_buses.part_inputs
  }

  assert {
    condition = toset(keys(output.trusts)) == toset(["RA1", "RC3"]) && alltrue([for id, trust in output.trusts :
    trust.event_bus_name == "trust-callbacks-test-callbacks-${parseint(substr(sha256(id), 0, 8), 16) % 4}"])
    error_message = "each trust's rules are on the bus its ODS code hashes to, in that bus's part"
  }
}

run "a_bus_part_with_no_trusts_holds_nothing" {
  command = plan
  variables {
    part        = "bus-2"
    event_buses = { count = 4 }
    pipeline    = run.pipeline_with_four_buses.part_inputs
  }

  assert {
    condition     = output.trusts == {} && length(module.trust) == 0
    error_message = "no trust hashes to bus 2"
  }
  assert {
    condition     = length(module.bus_logs) == 1
    error_message = "a bus with no trusts still has its logs delivered (its bus exists)"
  }
}

# After event_buses.count shrinks, the workspace of a bus past the count plans to destroy what it still holds.
run "a_bus_part_past_the_count_holds_nothing" {
  command = plan
  variables {
    part        = "bus-5"
    event_buses = { count = 4 }
    pipeline    = run.pipeline_with_four_buses.part_inputs
  }

  assert {
    condition     = output.trusts == {} && length(module.trust) == 0 && length(module.bus_logs) == 0
    error_message = "a bus index at or past event_buses.count holds no trusts and no log delivery (its bus is going)"
  }
}

run "the_index_part_tells_the_lambda_every_trusts_document_and_bus" {
  command = apply
  variables {
    part        = "index"
    event_buses = { count = 4 }
    pipeline    = run.pipeline_with_four_buses.part_inputs
  }

  assert {
    condition = jsondecode(aws_s3_object.subscription_index[0].content) == {
      version = 1
      trusts = { for id in ["RA1", "RB2", "RC3"] : id => {
        key      = "subscriptions/${id}.json"
        sha256   = sha256(file("tests/fixtures/three-trusts/${id}.json"))
        eventBus = id == "RB2" ? run.spreads_trusts_over_buses_bus_0.trusts[id].event_bus_name : run.spreads_trusts_over_buses_bus_1.trusts[id].event_bus_name
      } }
    }
    error_message = "one index object lists every trust's document digest and the bus its bus part put its rules on"
  }
  assert {
    condition     = aws_s3_object.subscription_index[0].bucket == run.pipeline_with_four_buses.part_inputs.config_bucket && aws_s3_object.subscription_index[0].kms_key_id == run.pipeline_with_four_buses.part_inputs.kms_key_arn
    error_message = "the index is in the config bucket, encrypted with the deployment's key"
  }
  assert {
    condition     = output.trusts == {} && length(module.pipeline) == 0
    error_message = "the index part holds the index only"
  }
}

run "a_part_must_be_named_pipeline_index_or_bus_i" {
  command = plan
  variables {
    part = "bus-one"
  }
  expect_failures = [var.part]
}

run "a_bus_part_needs_the_pipelines_values" {
  command = plan
  variables {
    part = "bus-0"
  }
  expect_failures = [var.pipeline]
}

run "the_pipeline_part_takes_no_pipeline_values" {
  command = plan
  variables {
    part     = "pipeline"
    pipeline = run.the_pipeline_part_holds_the_shared_resources_and_no_trust.part_inputs
  }
  expect_failures = [var.pipeline]
}

run "a_bus_part_refuses_an_applied_pipeline_with_fewer_buses_than_the_count" {
  command = plan
  variables {
    part        = "bus-0"
    event_buses = { count = 4 }
    pipeline    = run.the_pipeline_part_holds_the_shared_resources_and_no_trust.part_inputs
  }
  expect_failures = [var.pipeline]
}

run "refuses_more_rules_on_a_bus_than_the_quota" {
  command = plan
  variables {
    part        = "pipeline"
    event_buses = { count = 1, rules_per_bus_quota = 5 }
  }
  expect_failures = [output.trusts]
}

# docs/guarantees.md 5.6-5.8: the pipeline part holds the support audit group and, for listed principals, the roles.
run "the_pipeline_part_holds_the_support_audit_group_and_roles_for_listed_principals" {
  command = plan
  variables {
    part    = "pipeline"
    support = { operator_principal_arns = ["arn:aws:iam::123456789012:role/support-operators"] }
  }

  assert {
    condition     = module.support[0].audit_log_group_name == "/trust-callbacks-test/support-audit" && output.pipeline.support.audit_log_group_name == "/trust-callbacks-test/support-audit"
    error_message = "the support audit log group is created by the pipeline part and reported in its output pipeline.support"
  }
  assert {
    condition     = toset(keys(module.support[0].role_arns)) == toset(["operator"])
    error_message = "a role only for a non-empty principal list"
  }
  assert {
    condition     = module.support[0].history_log_group_arns == tolist(["arn:aws:logs:eu-west-2:123456789012:log-group:/aws/lambda/trust-callbacks-test-transform-filter", "arn:aws:logs:eu-west-2:123456789012:log-group:/aws/vendedlogs/events/trust-callbacks-test-callbacks"])
    error_message = "support staff query the Lambda's and the buses' log groups of this deployment"
  }
  # docs/guarantees.md 5.20: the operator redrives and replays through the support signer, never with a signing key.
  assert {
    condition     = output.pipeline.support_signer_function_name == module.pipeline[0].support_signer_function_name
    error_message = "the support CLI finds the support signer in the pipeline output (pipeline.support_signer_function_name)"
  }
}

# docs/guarantees.md 5.20, applied (the policy's ARNs are known only then, from the mock provider's defaults).
run "the_operator_redrives_and_replays_through_the_support_signer" {
  command = apply
  variables {
    part    = "pipeline"
    support = { operator_principal_arns = ["arn:aws:iam::123456789012:role/support-operators"] }
  }

  assert {
    condition = anytrue([
      for statement in jsondecode(module.support[0].role_policies.operator).Statement :
      statement.Effect == "Allow" && contains(flatten([statement.Action]), "lambda:InvokeFunction") && flatten([statement.Resource]) == [module.pipeline[0].support_signer_function_arn]
    ])
    error_message = "the operator may invoke this deployment's support signer (and only it)"
  }
  assert {
    condition = anytrue([
      for statement in jsondecode(module.support[0].role_policies.operator).Statement :
      statement.Effect == "Allow" && contains(flatten([statement.Resource]), module.pipeline[0].source_stream_arn)
    ])
    error_message = "the operator reads this deployment's source stream for replay"
  }
}

run "refuses_a_signing_secret_outside_the_deployments_prefix" {
  command = plan
  variables {
    part                      = "pipeline"
    signing_secret_prefix     = "trust-callbacks/prod/signing/"
    credentials_secret_prefix = "trust-callbacks/test/credentials/"
  }
  expect_failures = [output.trusts]
}

run "a_trust_file_must_be_named_after_its_trust" {
  command = plan
  variables {
    part       = "pipeline"
    trusts_dir = "tests/fixtures/misnamed"
  }
  expect_failures = [output.trusts]
}

run "outside_test_the_platforms_stream_and_keys_are_required" {
  command = plan
  variables {
    part               = "pipeline"
    create_test_source = false
  }
  expect_failures = [var.source_stream]
}

run "a_test_source_and_the_platforms_stream_are_exclusive" {
  command = plan
  variables {
    part          = "pipeline"
    source_stream = { arn = "arn:aws:kinesis:eu-west-2:123456789012:stream/platform" }
  }
  expect_failures = [var.source_stream]
}

run "refuses_more_endpoints_than_the_account_has_api_destinations" {
  command = plan
  variables {
    part           = "pipeline"
    account_quotas = { api_destinations = 5 }
  }
  expect_failures = [output.trusts]
}

run "every_part_checks_every_trust_file_not_only_the_pipeline" {
  command = plan
  variables {
    part       = "bus-0"
    trusts_dir = "tests/fixtures/misnamed"
    pipeline   = run.the_pipeline_part_holds_the_shared_resources_and_no_trust.part_inputs
  }
  expect_failures = [output.trusts]
}
