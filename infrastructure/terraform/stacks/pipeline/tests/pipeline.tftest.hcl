# The pipeline stack over a trusts directory of fixtures, mocked AWS: the shared resources, and the checks of every
# trust file (stacks/trusts/tests holds the trusts stack's, fed with a pipeline stack's outputs).
mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  environment        = "test"
  aws_account_id     = "123456789012"
  owner              = "tests"
  create_test_source = true
  trusts_dir         = "../trusts/tests/fixtures/three-trusts"
  # docs/guarantees.md 5.3: both required, each its own kind.
  signing_secret_prefix     = "trust-callbacks/test/signing/"
  credentials_secret_prefix = "trust-callbacks/test/credentials/"
}

run "the_pipeline_stack_holds_the_shared_resources" {
  command = apply

  assert {
    condition     = output.pipeline.signing_secret_prefix == "trust-callbacks/test/signing/"
    error_message = "the signing keys' prefix is the one the environment sets (trust-callbacks/<environment>/signing/)"
  }
  assert {
    condition     = output.pipeline.subscription_index_keys == ["subscriptions/index/bus-0.json"] && output.trusts_stack_inputs.subscription_index_keys == output.pipeline.subscription_index_keys
    error_message = "one subscription index shard per bus, named for the trusts stack that writes it"
  }
}

# connection-sync is its own module beside module.pipeline (issue #26): it is given the pipeline's resources, every
# trust file's credentials secret, and its name is what the trusts stacks' first syncs invoke.
run "connection_sync_sits_beside_the_pipeline_and_names_itself_to_the_trusts_stacks" {
  command = apply

  assert {
    condition     = output.trusts_stack_inputs.connection_sync_function_name == module.connection_sync.function_name && module.connection_sync.function_name == "trust-callbacks-test-connection-sync"
    error_message = "the trusts stacks invoke the connection-sync module's function, <prefix>-connection-sync"
  }
  assert {
    condition = module.connection_sync.connections == {
      "trust-callbacks-test-RA1-ep1" = "trust-callbacks/test/credentials/RA1/ep1"
      "trust-callbacks-test-RB2-ep1" = "trust-callbacks/test/credentials/RB2/ep1"
      "trust-callbacks-test-RB2-ep2" = "trust-callbacks/test/credentials/RB2/ep2"
      "trust-callbacks-test-RC3-ep1" = "trust-callbacks/test/credentials/RC3/ep1"
      "trust-callbacks-test-RC3-ep2" = "trust-callbacks/test/credentials/RC3/ep2"
      "trust-callbacks-test-RC3-ep3" = "trust-callbacks/test/credentials/RC3/ep3"
    }
    error_message = "every endpoint of every trust file has its connection and credentials secret in connection-sync's map"
  }
  assert {
    condition     = module.connection_sync.credentials_map.bucket == output.pipeline.config_bucket
    error_message = "the map is in the pipeline's config bucket"
  }
}

run "pipeline_with_four_buses" {
  command = apply
  variables {
    event_buses = { count = 4 }
  }

  assert {
    condition     = sum(values(output.rules_per_bus)) == 6 && length(output.rules_per_bus) == 4
    error_message = "rules are counted per bus"
  }
  assert {
    condition     = output.trusts_stack_inputs.event_bus_names == [for index in range(4) : "trust-callbacks-test-callbacks-${index}"]
    error_message = "the pipeline stack creates event_buses.count buses"
  }
  assert {
    condition     = output.trusts_stack_inputs.subscription_index_keys == [for index in range(4) : "subscriptions/index/bus-${index}.json"]
    error_message = "the Lambda reads one index shard per bus"
  }
}

run "refuses_more_rules_on_a_bus_than_the_quota" {
  command = plan
  variables {
    event_buses = { count = 1, rules_per_bus_quota = 5 }
  }
  expect_failures = [output.rules_per_bus]
}

# docs/guarantees.md 5.6-5.8: the pipeline stack holds the support audit group and, for listed principals, the roles.
run "the_pipeline_stack_holds_the_support_audit_group_and_roles_for_listed_principals" {
  command = plan
  variables {
    support = { operator_principal_arns = ["arn:aws:iam::123456789012:role/support-operators"] }
  }

  assert {
    condition     = module.support.audit_log_group_name == "/trust-callbacks-test/support-audit" && output.pipeline.support.audit_log_group_name == "/trust-callbacks-test/support-audit"
    error_message = "the support audit log group is created by the pipeline stack and reported in its output pipeline.support"
  }
  assert {
    condition     = toset(keys(module.support.role_arns)) == toset(["operator"])
    error_message = "a role only for a non-empty principal list"
  }
  assert {
    condition     = module.support.history_log_group_arns == tolist(["arn:aws:logs:eu-west-2:123456789012:log-group:/aws/lambda/trust-callbacks-test-transform-filter", "arn:aws:logs:eu-west-2:123456789012:log-group:/aws/vendedlogs/events/trust-callbacks-test-callbacks"])
    error_message = "support staff query the Lambda's and the buses' log groups of this deployment"
  }
}

# docs/guarantees.md 5.20 and 5.6: the operator redrives and replays through the support signer (applied: the
# policy's ARNs are known only then, from the mock provider's defaults).
run "the_operator_redrives_and_replays_through_the_support_signer" {
  command = apply
  variables {
    support = { operator_principal_arns = ["arn:aws:iam::123456789012:role/support-operators"] }
  }

  assert {
    condition = anytrue([
      for statement in jsondecode(module.support.role_policies.operator).Statement :
      statement.Effect == "Allow" && contains(flatten([statement.Action]), "lambda:InvokeFunction") && flatten([statement.Resource]) == [module.pipeline.support_signer_function_arn]
    ])
    error_message = "the operator may invoke this deployment's support signer (and only it)"
  }
  assert {
    condition = anytrue([
      for statement in jsondecode(module.support.role_policies.operator).Statement :
      statement.Effect == "Allow" && contains(flatten([statement.Resource]), module.pipeline.source_stream_arn)
    ])
    error_message = "the operator reads this deployment's source stream for replay"
  }
}

run "refuses_a_signing_secret_outside_the_deployments_prefix" {
  command = plan
  variables {
    signing_secret_prefix     = "trust-callbacks/prod/signing/"
    credentials_secret_prefix = "trust-callbacks/test/credentials/"
  }
  expect_failures = [output.rules_per_bus]
}

run "a_trust_file_must_be_named_after_its_trust" {
  command = plan
  variables {
    trusts_dir = "tests/fixtures/misnamed"
  }
  expect_failures = [output.rules_per_bus]
}

run "outside_test_the_platforms_stream_and_keys_are_required" {
  command = plan
  variables {
    create_test_source = false
  }
  expect_failures = [var.source_stream]
}

run "a_test_source_and_the_platforms_stream_are_exclusive" {
  command = plan
  variables {
    source_stream = { arn = "arn:aws:kinesis:eu-west-2:123456789012:stream/platform" }
  }
  expect_failures = [var.source_stream]
}

run "refuses_more_endpoints_than_the_account_has_api_destinations" {
  command = plan
  variables {
    account_quotas = { api_destinations = 5 }
  }
  expect_failures = [output.rules_per_bus]
}

# Every setting of modules/pipeline an environment may need is reachable from its tfvars.
run "an_environment_can_switch_bus_logs_off_and_set_retention" {
  command = plan
  variables {
    event_bus_logs            = { level = "OFF" }
    quarantine_retention_days = 30
  }

  assert {
    condition     = output.trusts_stack_inputs.bus_logs == null
    error_message = "event_bus_logs.level = OFF reaches the module: no bus log delivery for the trusts stacks"
  }
}

run "the_modules_defaults_apply_where_an_environment_sets_nothing" {
  command = plan

  assert {
    condition     = output.trusts_stack_inputs.bus_logs.level == "INFO"
    error_message = "buses log at INFO unless the environment says otherwise"
  }
}


# Holds and notices (issue #25; docs/guarantees.md 10.40-10.46): the support tools find the tables and functions in
# output pipeline, and every trusts stack gets the hold stores' and topics' keys and the topics' only publisher.
run "names_the_holds_and_notices_resources_to_the_support_tools_and_the_trusts_stacks" {
  command = apply

  assert {
    condition     = output.pipeline.holds.table_name == "trust-callbacks-test-holds" && output.pipeline.notices.table_name == "trust-callbacks-test-notices"
    error_message = "the support CLI finds the holds table as pipeline.holds.table_name and the notices table as pipeline.notices.table_name"
  }
  assert {
    condition     = output.pipeline.holds.drain_function_name == "trust-callbacks-test-hold-drain" && output.pipeline.notices.notifier_function_name == "trust-callbacks-test-notifier"
    error_message = "the functions are <prefix>-hold-drain and <prefix>-notifier"
  }
  assert {
    condition     = output.pipeline.holds.queue_url_base == "https://sqs.eu-west-2.amazonaws.com/123456789012/" && output.pipeline.notices.topic_arn_prefix == "arn:aws:sns:eu-west-2:123456789012:trust-callbacks-test-"
    error_message = "a hold store's URL and a trust topic's ARN are built from these and the names every part shares"
  }
  assert {
    condition = (
      output.trusts_stack_inputs.holds.hold_store_kms_key_arn == module.pipeline.holds.key_arn &&
      output.trusts_stack_inputs.holds.notices_kms_key_arn == module.pipeline.notices.key_arn &&
      output.trusts_stack_inputs.holds.notifier_role_arn == module.pipeline.notices.notifier_role_arn
    )
    error_message = "the trusts stacks encrypt hold stores and topics with the pipeline's holds and notices keys, and let the notifier alone publish"
  }
}
