# docs/guarantees.md 10.44 and 10.46 (issue #25): the holds and notices tables and keys, the hold-drain and notifier
# functions and what triggers them. Who may do what with each is evaluated in scripts/terraform/policies.test.ts
# ("holds and trust notices"); these runs check the resources carry those documents and the names every part uses.
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

run "keeps_hold_states_and_notices_in_encrypted_recoverable_tables" {
  command = apply

  assert {
    condition     = aws_dynamodb_table.holds.name == "trust-callbacks-test-holds" && aws_dynamodb_table.holds.hash_key == "pk" && one(aws_dynamodb_table.holds.attribute).type == "S"
    error_message = "the holds table is <prefix>-holds keyed by pk (S): holdKey(ODS, endpoint)"
  }
  assert {
    condition     = aws_dynamodb_table.notices.name == "trust-callbacks-test-notices" && aws_dynamodb_table.notices.hash_key == "id" && one(aws_dynamodb_table.notices.attribute).type == "S"
    error_message = "the notices table is <prefix>-notices keyed by id (S)"
  }
  assert {
    condition = alltrue([
      for table in [aws_dynamodb_table.holds, aws_dynamodb_table.notices] :
      one(table.server_side_encryption).enabled && one(table.server_side_encryption).kms_key_arn == aws_kms_key.main.arn && one(table.point_in_time_recovery).enabled
    ])
    error_message = "both tables are encrypted with the customer-managed data-at-rest key and have point-in-time recovery"
  }
  assert {
    condition     = one(aws_dynamodb_table.notices.ttl).attribute_name == "expiresAt" && one(aws_dynamodb_table.notices.ttl).enabled
    error_message = "notices expire by expiresAt (the notices log writes it 90 days after due)"
  }
}

run "encrypts_hold_stores_and_topics_with_their_own_keys_whose_policies_the_tests_evaluate" {
  command = apply

  assert {
    condition     = aws_kms_key.holds.policy == module.policies.holds_key_policy && aws_kms_key.notices.policy == module.policies.notices_key_policy
    error_message = "the holds and notices keys carry the policies scripts/terraform/policies.test.ts evaluates"
  }
  assert {
    condition     = aws_kms_key.holds.enable_key_rotation && aws_kms_key.notices.enable_key_rotation && aws_kms_alias.holds.name == "alias/trust-callbacks-test-holds" && aws_kms_alias.notices.name == "alias/trust-callbacks-test-notices"
    error_message = "both keys rotate and have an alias under the deployment's name"
  }
  assert {
    condition = (
      one([for s in jsondecode(aws_kms_key.holds.policy).Statement : s.Principal.AWS if s.Sid == "DrainDecryptsHeldDeliveries"]) == [aws_iam_role.hold_drain.arn] &&
      one([for s in jsondecode(aws_kms_key.notices.policy).Statement : s.Principal.AWS if s.Sid == "NotifierPublishesNotices"]) == [aws_iam_role.notifier.arn]
    )
    error_message = "the holds key names the drain's role as its consumer, the notices key the notifier's role as its only user"
  }
  assert {
    condition     = output.holds.key_arn == aws_kms_key.holds.arn && output.notices.key_arn == aws_kms_key.notices.arn && output.holds.table_name == aws_dynamodb_table.holds.name && output.notices.table_name == aws_dynamodb_table.notices.name
    error_message = "the module outputs the tables and keys the trusts stack and the support tools use"
  }
  assert {
    condition     = output.notices.topic_arn_prefix == "arn:aws:sns:eu-west-2:123456789012:trust-callbacks-test-" && output.holds.queue_url_base == "https://sqs.eu-west-2.amazonaws.com/123456789012/"
    error_message = "a trust's topic ARN is the prefix + <ODS>-notices; a hold store's URL is the base + holdQueueName()"
  }
}

run "runs_the_drain_every_minute_for_at_most_60_s_with_its_own_role" {
  command = apply

  assert {
    condition     = aws_lambda_function.hold_drain.function_name == "trust-callbacks-test-hold-drain" && output.holds.drain_function_name == aws_lambda_function.hold_drain.function_name
    error_message = "the drain is <prefix>-hold-drain"
  }
  assert {
    condition     = aws_lambda_function.hold_drain.filename == "../../../../.build/lambdas/hold-drain.zip" && aws_lambda_function.hold_drain.handler == "index.handler" && aws_lambda_function.hold_drain.timeout == 60
    error_message = "the bundle is hold-drain.zip beside the transform function's, handler index.handler, timeout 60 s"
  }
  assert {
    condition     = aws_cloudwatch_event_rule.hold_drain.schedule_expression == "rate(1 minute)" && aws_cloudwatch_event_target.hold_drain.arn == aws_lambda_function.hold_drain.arn && aws_lambda_permission.hold_drain.source_arn == aws_cloudwatch_event_rule.hold_drain.arn
    error_message = "a rule runs the drain every minute, and only that rule may invoke it"
  }
  assert {
    condition     = aws_lambda_function.hold_drain.role == aws_iam_role.hold_drain.arn && aws_iam_role_policy.hold_drain.policy == module.hold_drain_policies.role_policy && aws_iam_role.hold_drain.assume_role_policy == module.hold_drain_policies.trust_policy
    error_message = "the drain runs as its own role, with the documents the policy tests evaluate"
  }
  assert {
    condition = (
      aws_lambda_function.hold_drain.environment[0].variables.HOLDS_TABLE_NAME == aws_dynamodb_table.holds.name &&
      aws_lambda_function.hold_drain.environment[0].variables.NOTICES_TABLE_NAME == aws_dynamodb_table.notices.name &&
      aws_lambda_function.hold_drain.environment[0].variables.HOLD_QUEUE_URL_BASE == output.holds.queue_url_base &&
      aws_lambda_function.hold_drain.environment[0].variables.NAME_PREFIX == "trust-callbacks-test" &&
      aws_lambda_function.hold_drain.environment[0].variables.LAMBDA_TIMEOUT_SECONDS == "60" &&
      aws_lambda_function.hold_drain.environment[0].variables.SUBSCRIPTION_INDEX_KEYS == aws_lambda_function.support_signer.environment[0].variables.SUBSCRIPTION_INDEX_KEYS &&
      aws_lambda_function.hold_drain.environment[0].variables.BUS_SOURCE == var.bus_source
    )
    error_message = "the drain finds the holds table, the stores and the notices table, and signs as the support signer does"
  }
}

run "tells_every_function_that_holds_where_hold_states_and_stores_are" {
  command = apply

  assert {
    condition = alltrue([
      for variables in [aws_lambda_function.transform_filter.environment[0].variables, aws_lambda_function.support_signer.environment[0].variables] :
      variables.HOLDS_TABLE_NAME == "trust-callbacks-test-holds" && variables.HOLD_QUEUE_URL_BASE == "https://sqs.eu-west-2.amazonaws.com/123456789012/" && variables.NAME_PREFIX == "trust-callbacks-test"
    ])
    error_message = "the transform Lambda and the support signer hold deliveries: both get HOLDS_TABLE_NAME, HOLD_QUEUE_URL_BASE and NAME_PREFIX"
  }
  assert {
    condition = alltrue([
      for policy in [aws_iam_role_policy.lambda.policy, aws_iam_role_policy.support_signer.policy] :
      one([for s in jsondecode(policy).Statement : s.Resource if s.Sid == "SendToHoldStores"]) == ["arn:aws:sqs:eu-west-2:123456789012:trust-callbacks-test-*-hold.fifo"]
    ])
    error_message = "both may send to this deployment's hold stores (one pattern for every endpoint)"
  }
}

run "tells_trusts_of_dead_letter_alarms_and_connection_states_and_sweeps_every_minute" {
  command = apply

  assert {
    condition     = aws_lambda_function.notifier.function_name == "trust-callbacks-test-notifier" && output.notices.notifier_function_name == aws_lambda_function.notifier.function_name && aws_lambda_function.notifier.filename == "../../../../.build/lambdas/notifier.zip"
    error_message = "the notifier is <prefix>-notifier, bundled as notifier.zip"
  }
  assert {
    condition = (
      aws_lambda_function.notifier.environment[0].variables.NOTICES_TABLE_NAME == aws_dynamodb_table.notices.name &&
      aws_lambda_function.notifier.environment[0].variables.NOTICE_TOPIC_ARN_PREFIX == output.notices.topic_arn_prefix &&
      !contains(keys(aws_lambda_function.notifier.environment[0].variables), "HOLDS_TABLE_NAME")
    )
    error_message = "the notifier finds the notices table and the trusts' topics, and nothing of the holds"
  }
  assert {
    condition = jsondecode(aws_cloudwatch_event_rule.notifier["dead-letter-alarms"].event_pattern) == {
      source        = ["aws.cloudwatch"]
      "detail-type" = ["CloudWatch Alarm State Change"]
      detail        = { alarmName = [{ wildcard = "trust-callbacks-test-*-dead-letters" }] }
    }
    error_message = "the notifier hears this deployment's per-endpoint dead-letter alarms change state, and no other alarm"
  }
  assert {
    condition     = jsondecode(aws_cloudwatch_event_rule.notifier["connection-states"].event_pattern) == { source = ["aws.events"], "detail-type" = [{ prefix = "Connection" }] }
    error_message = "the notifier hears EventBridge's connection state events"
  }
  assert {
    condition     = aws_cloudwatch_event_rule.notifier["sweep"].schedule_expression == "rate(1 minute)"
    error_message = "a sweep every minute publishes due notices"
  }
  assert {
    condition = alltrue([
      for key, rule in aws_cloudwatch_event_rule.notifier :
      rule.event_bus_name == null && aws_cloudwatch_event_target.notifier[key].arn == aws_lambda_function.notifier.arn && aws_lambda_permission.notifier[key].source_arn == rule.arn
    ])
    error_message = "every notifier rule is on the default bus (where AWS services send), targets the notifier, and may invoke it"
  }
  assert {
    condition     = aws_lambda_function.notifier.role == aws_iam_role.notifier.arn && aws_iam_role_policy.notifier.policy == module.notifier_policies.role_policy && aws_iam_role.notifier.name != aws_iam_role.hold_drain.name
    error_message = "the notifier runs as its own role, with the document the policy tests evaluate"
  }
}

run "refuses_a_drain_zip_that_is_not_a_zip" {
  command = plan
  variables {
    hold_drain_zip_path = "../../../../.build/lambdas/hold-drain"
  }
  expect_failures = [var.hold_drain_zip_path]
}
