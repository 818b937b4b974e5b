# The root composed from a trusts directory of fixtures, mocked AWS.
mock_provider "aws" {
  source = "../tests/mocks"
}

variables {
  environment        = "test"
  aws_account_id     = "123456789012"
  owner              = "tests"
  create_test_source = true
  trusts_dir         = "tests/fixtures/three-trusts"
}

run "n_trusts_with_m_endpoints_build_the_right_resources" {
  command = apply

  assert {
    condition     = toset(keys(output.trusts)) == toset(["RA1", "RB2", "RC3"])
    error_message = "one trust module per trust file"
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
    condition     = output.pipeline.signing_secret_prefix == "trust-callbacks/test/"
    error_message = "the signing secrets' prefix defaults to trust-callbacks/<environment>/"
  }
}

run "spreads_trusts_over_buses_and_tells_the_lambda_which_in_one_index" {
  command = apply
  variables {
    event_buses = { count = 4 }
  }

  assert {
    condition = alltrue([for id, trust in output.trusts :
    trust.event_bus_name == "trust-callbacks-test-callbacks-${parseint(substr(sha256(id), 0, 8), 16) % 4}"])
    error_message = "each trust's rules are on the bus its ODS code hashes to"
  }
  assert {
    condition     = sum(values(output.rules_per_bus)) == 6 && length(output.rules_per_bus) == 4
    error_message = "rules are counted per bus"
  }
  assert {
    condition = jsondecode(aws_s3_object.subscription_index.content) == {
      version = 1
      trusts = { for id in ["RA1", "RB2", "RC3"] : id => {
        key      = "subscriptions/${id}.json"
        sha256   = sha256(file("tests/fixtures/three-trusts/${id}.json"))
        eventBus = output.trusts[id].event_bus_name
      } }
    }
    error_message = "one index object lists every trust's document digest and bus"
  }
}

run "refuses_more_rules_on_a_bus_than_the_quota" {
  command = plan
  variables {
    event_buses = { count = 1, rules_per_bus_quota = 5 }
  }
  expect_failures = [output.trusts]
}

run "refuses_a_signing_secret_outside_the_deployments_prefix" {
  command = plan
  variables {
    signing_secret_prefix     = "trust-callbacks/prod/"
    credentials_secret_prefix = "trust-callbacks/test/"
  }
  expect_failures = [output.trusts]
}

run "a_trust_file_must_be_named_after_its_trust" {
  command = plan
  variables {
    trusts_dir = "tests/fixtures/misnamed"
  }
  expect_failures = [output.trusts]
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
  expect_failures = [output.trusts]
}
