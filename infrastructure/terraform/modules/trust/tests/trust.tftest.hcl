mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  name_prefix                   = "trust-callbacks-test"
  config_bucket                 = "trust-callbacks-test-config-123456789012"
  kms_key_arn                   = "arn:aws:kms:eu-west-2:123456789012:key/0b6c2a52-4e1f-4c3b-9a7e-5d8f1e2a3b4c"
  dlq_kms_key_arn               = "arn:aws:kms:eu-west-2:123456789012:key/2d8e4c74-6a3b-4e5d-9c0a-7f0b3a4c5d6e"
  connection_kms_key_arn        = "arn:aws:kms:eu-west-2:123456789012:key/1c7d3b63-5f2a-4d4c-8b8f-6e9a2f3b4c5d"
  connection_sync_function_name = "trust-callbacks-test-connection-sync"
  invocation_role_arn           = "arn:aws:iam::123456789012:role/trust-callbacks-test-api-destinations"
  event_bus_name                = "trust-callbacks-test-callbacks"
  alarm_actions                 = ["arn:aws:sns:eu-west-2:123456789012:trust-callbacks-test-alarms"]
  subscription_document         = "{\"trustId\":\"RX1\"}"
  hold_store_kms_key_arn        = "arn:aws:kms:eu-west-2:123456789012:key/5f1d7c3e-2a4b-4c6d-8e9f-0a1b2c3d4e5f"
  notices_kms_key_arn           = "arn:aws:kms:eu-west-2:123456789012:key/6a2e8d4f-3b5c-4d7e-9f0a-1b2c3d4e5f60"
  notifier_role_arn             = "arn:aws:iam::123456789012:role/trust-callbacks-test-notifier"
  config = {
    trustId = "RX1"
    name    = "Example NHS Trust"
    enabled = true
    endpoints = [
      { id = "ehr", url = "https://ehr.example.nhs.uk/cb", signingSecret = "tc/test/signing/RX1/ehr", auth = { type = "basic", credentialsSecret = "tc/test/credentials/RX1/ehr" } },
      { id = "pas", url = "https://pas.example.nhs.uk/cb", signingSecret = "tc/test/signing/RX1/pas", auth = { type = "api_key", headerName = "x-api-key", credentialsSecret = "tc/test/credentials/RX1/pas" } },
      { id = "bi", url = "https://bi.example.nhs.uk/cb", signingSecret = "tc/test/signing/RX1/bi", auth = { type = "oauth2_client_credentials", tokenUrl = "https://login.example.nhs.uk/token", credentialsSecret = "tc/test/credentials/RX1/bi" } },
    ]
  }
}

run "one_dlq_and_one_set_of_delivery_resources_per_endpoint" {
  command = apply

  assert {
    condition     = length(output.endpoints) == 3 && toset(keys(output.endpoints)) == toset(["ehr", "pas", "bi"])
    error_message = "each endpoint gets its own connection, destination and rule"
  }
  assert {
    condition     = output.alarm_names == ["trust-callbacks-test-RX1-dlq-not-empty"]
    error_message = "one DLQ alarm per trust; failed deliveries alarm per bus with each rule a contributor, not one alarm per endpoint"
  }
  assert {
    condition     = aws_sqs_queue.dlq.name == "trust-callbacks-test-RX1-dlq" && aws_sqs_queue.dlq.message_retention_seconds == 1209600 && aws_sqs_queue.dlq.kms_master_key_id == var.dlq_kms_key_arn && aws_sqs_queue.dlq.max_message_size == 262144
    error_message = "the trust's DLQ keeps messages 14 days, up to 256 KiB, encrypted with the dead-letters key"
  }
  assert {
    condition = (
      jsondecode(aws_sqs_queue_policy.dlq.policy).Statement[0].Principal.Service == "events.amazonaws.com" &&
      jsondecode(aws_sqs_queue_policy.dlq.policy).Statement[0].Action == "sqs:SendMessage" &&
      length(jsondecode(aws_sqs_queue_policy.dlq.policy).Statement[0].Condition.ArnEquals["aws:SourceArn"]) == 3
    )
    error_message = "only this trust's rules may send to its DLQ"
  }
  assert {
    condition     = aws_s3_object.subscription.key == "subscriptions/RX1.json" && aws_s3_object.subscription.content == var.subscription_document && aws_s3_object.subscription.server_side_encryption == "aws:kms"
    error_message = "the trust file is uploaded unchanged as its subscription document"
  }
  assert {
    condition     = output.signing_secret_names == tolist(["tc/test/signing/RX1/ehr", "tc/test/signing/RX1/pas", "tc/test/signing/RX1/bi"])
    error_message = "the trust reports its signing secrets so the Lambda may read exactly those"
  }
}

run "rejects_duplicate_endpoint_ids" {
  command = plan
  variables {
    config = {
      trustId = "RX1"
      name    = "Example NHS Trust"
      enabled = true
      endpoints = [
        { id = "ehr", url = "https://a.example.nhs.uk", signingSecret = "s1", auth = { type = "basic", credentialsSecret = "c1" } },
        { id = "ehr", url = "https://b.example.nhs.uk", signingSecret = "s2", auth = { type = "basic", credentialsSecret = "c2" } },
      ]
    }
  }
  expect_failures = [var.config]
}

run "rejects_a_trust_id_that_is_not_an_ods_code" {
  command = plan
  variables {
    config = { trustId = "rx-1", name = "x", enabled = true, endpoints = [] }
  }
  expect_failures = [var.config]
}

# Promise 8.10: while the trust moves to another bus (round 1), its DLQ takes dead letters from its rules on both buses;
# not moving, from its one rule per endpoint.
run "a_moving_trusts_dlq_takes_dead_letters_from_its_rules_on_both_buses" {
  command = apply

  variables {
    previous_event_bus_name = "trust-callbacks-test-callbacks-0"
  }

  assert {
    condition     = length(jsondecode(aws_sqs_queue_policy.dlq.policy).Statement[0].Condition.ArnEquals["aws:SourceArn"]) == 6
    error_message = "promise 8.10: a moving trust's DLQ policy names its 3 endpoints' rules on both buses"
  }
  assert {
    condition     = alltrue([for id, endpoint in module.endpoint : length(endpoint.rule_arns) == 2])
    error_message = "promise 8.10: every endpoint of a moving trust has a rule on both buses"
  }
}

run "a_trust_not_moving_has_its_dlq_take_dead_letters_from_one_rule_per_endpoint" {
  command = apply

  assert {
    condition     = length(jsondecode(aws_sqs_queue_policy.dlq.policy).Statement[0].Condition.ArnEquals["aws:SourceArn"]) == 3
    error_message = "one rule per endpoint while the trust is not moving"
  }
}
