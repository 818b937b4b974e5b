# The trusts stack over a trusts directory of fixtures, mocked AWS, once per bus as `make apply` applies it, each
# fed with a pipeline stack's outputs (var.pipeline; deployed, terraform_remote_state reads them).
mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  environment    = "test"
  aws_account_id = "123456789012"
  owner          = "tests"
  trusts_dir     = "tests/fixtures/three-trusts"
  pipeline = {
    name_prefix                   = "trust-callbacks-test"
    config_bucket                 = "trust-callbacks-test-config-123456789012"
    subscriptions_prefix          = "subscriptions/"
    kms_key_arn                   = "arn:aws:kms:eu-west-2:123456789012:key/00000000-0000-0000-0000-000000000001"
    dead_letters_kms_key_arn      = "arn:aws:kms:eu-west-2:123456789012:key/00000000-0000-0000-0000-000000000002"
    connections_kms_key_arn       = "arn:aws:kms:eu-west-2:123456789012:key/00000000-0000-0000-0000-000000000003"
    event_bus_names               = ["trust-callbacks-test-callbacks-0", "trust-callbacks-test-callbacks-1", "trust-callbacks-test-callbacks-2", "trust-callbacks-test-callbacks-3"]
    bus_source                    = "trust-callbacks.transform-filter"
    api_destinations_role_arn     = "arn:aws:iam::123456789012:role/trust-callbacks-test-api-destinations"
    alarm_topic_arn               = "arn:aws:sns:eu-west-2:123456789012:trust-callbacks-test-alarms"
    connection_sync_function_name = "trust-callbacks-test-connection-sync"
    subscription_index_keys       = ["subscriptions/index/bus-0.json", "subscriptions/index/bus-1.json", "subscriptions/index/bus-2.json", "subscriptions/index/bus-3.json"]
    holds = {
      hold_store_kms_key_arn = "arn:aws:kms:eu-west-2:123456789012:key/00000000-0000-0000-0000-000000000004"
      notices_kms_key_arn    = "arn:aws:kms:eu-west-2:123456789012:key/00000000-0000-0000-0000-000000000005"
      notifier_role_arn      = "arn:aws:iam::123456789012:role/trust-callbacks-test-notifier"
    }
    bus_logs = {
      level                    = "INFO"
      delivery_destination_arn = "arn:aws:logs:eu-west-2:123456789012:delivery-destination:trust-callbacks-test-bus-logs"
      event_bus_arns           = ["arn:aws:events:eu-west-2:123456789012:event-bus/trust-callbacks-test-callbacks-0", "arn:aws:events:eu-west-2:123456789012:event-bus/trust-callbacks-test-callbacks-1", "arn:aws:events:eu-west-2:123456789012:event-bus/trust-callbacks-test-callbacks-2", "arn:aws:events:eu-west-2:123456789012:event-bus/trust-callbacks-test-callbacks-3"]
    }
  }
}

run "n_trusts_with_m_endpoints_build_the_right_resources" {
  command = apply
  variables {
    bus         = 0
    event_buses = { count = 1 }
  }

  assert {
    condition     = toset(keys(output.trusts)) == toset(["RA1", "RB2", "RC3"])
    error_message = "one trust module per trust file (one bus: every trust is on bus 0)"
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
    condition     = alltrue([for id, trust in module.trust : trust.subscription_key == "subscriptions/${id}.json"])
    error_message = "each trust's document is uploaded under the pipeline's subscriptions prefix"
  }
}

# RB2 hashes to bus 0 of 4, RA1 and RC3 to bus 1, none to 2 or 3.
run "bus_0_of_4_holds_its_trusts_its_logs_and_its_index_shard" {
  command = apply
  variables {
    bus         = 0
    event_buses = { count = 4 }
  }

  assert {
    condition     = keys(output.trusts) == ["RB2"] && output.trusts.RB2.event_bus_name == "trust-callbacks-test-callbacks-0"
    error_message = "the stack of bus 0 holds exactly the trusts whose ODS code hashes to bus 0, with their rules on that bus"
  }
  # Promise 8.5: each bus's stack delivers its own bus's logs, so the buses' deliveries are made by one apply after
  # another, never together.
  assert {
    condition     = length(module.bus_logs) == 1 && module.bus_logs[0].log_types == ["ERROR_LOGS", "INFO_LOGS"] && length(module.bus_logs[0].delivery_ids) == 2
    error_message = "the stack of bus 0 delivers bus 0's ERROR and INFO logs"
  }
  assert {
    condition = jsondecode(aws_s3_object.subscription_index_shard[0].content) == {
      version = 1
      trusts = { RB2 = {
        key      = "subscriptions/RB2.json"
        sha256   = sha256(file("tests/fixtures/three-trusts/RB2.json"))
        eventBus = "trust-callbacks-test-callbacks-0"
      } }
    }
    error_message = "bus 0's index shard lists exactly its trusts, each with its document's digest and bus 0"
  }
  assert {
    condition     = aws_s3_object.subscription_index_shard[0].key == "subscriptions/index/bus-0.json" && aws_s3_object.subscription_index_shard[0].bucket == var.pipeline.config_bucket && aws_s3_object.subscription_index_shard[0].kms_key_id == var.pipeline.kms_key_arn
    error_message = "the shard is at the key the pipeline stack lists for bus 0, in the config bucket, encrypted with the deployment's key"
  }
}

run "bus_1_of_4_holds_the_trusts_that_hash_to_it" {
  command = apply
  variables {
    bus         = 1
    event_buses = { count = 4 }
  }

  assert {
    condition     = toset(keys(output.trusts)) == toset(["RA1", "RC3"]) && alltrue([for id, trust in output.trusts : trust.event_bus_name == "trust-callbacks-test-callbacks-1"])
    error_message = "each trust's rules are on the bus its ODS code hashes to, in that bus's stack"
  }
  assert {
    condition     = toset(keys(jsondecode(aws_s3_object.subscription_index_shard[0].content).trusts)) == toset(["RA1", "RC3"]) && aws_s3_object.subscription_index_shard[0].key == "subscriptions/index/bus-1.json"
    error_message = "bus 1's shard lists RA1 and RC3 only"
  }
}

run "a_bus_with_no_trusts_holds_its_logs_and_an_empty_shard" {
  command = plan
  variables {
    bus         = 2
    event_buses = { count = 4 }
  }

  assert {
    condition     = output.trusts == {} && length(module.trust) == 0 && length(module.bus_logs) == 1
    error_message = "no trust hashes to bus 2; its bus exists, so its logs are delivered"
  }
  assert {
    condition     = jsondecode(aws_s3_object.subscription_index_shard[0].content).trusts == {}
    error_message = "a bus with no trusts writes an empty shard"
  }
}

# After event_buses.count shrinks, the workspace of a bus past the count plans to destroy what it still holds.
run "a_bus_past_the_count_holds_nothing" {
  command = plan
  variables {
    bus         = 5
    event_buses = { count = 4 }
  }

  assert {
    condition     = output.trusts == {} && length(module.trust) == 0 && length(module.bus_logs) == 0 && length(aws_s3_object.subscription_index_shard) == 0
    error_message = "a bus index at or past event_buses.count holds no trusts, no log delivery and no shard (its bus is going)"
  }
}

run "needs_the_pipeline_stacks_outputs_or_where_its_state_is" {
  command = plan
  variables {
    bus      = 0
    pipeline = null
  }
  expect_failures = [var.pipeline]
}

run "refuses_an_applied_pipeline_with_fewer_buses_than_the_count" {
  command = plan
  variables {
    bus         = 0
    event_buses = { count = 5 }
  }
  expect_failures = [output.trusts]
}

run "a_bus_index_is_a_whole_number_from_0_to_99" {
  command = plan
  variables {
    bus = 1.5
  }
  expect_failures = [var.bus]
}

# Deployed (pipeline_state, no pipeline), the default workspace is the pipeline stack's state: refused.
run "never_plans_a_deployed_bus_in_the_pipeline_stacks_default_workspace" {
  command = plan
  variables {
    bus            = 0
    pipeline       = null
    pipeline_state = { bucket = "trust-callbacks-tfstate-123456789012", key = "trust-callbacks/test.tfstate", region = "eu-west-2" }
  }
  override_data {
    target = data.terraform_remote_state.pipeline[0]
    values = {
      outputs = {
        trusts_stack_inputs = {
          name_prefix                   = "trust-callbacks-test"
          config_bucket                 = "trust-callbacks-test-config-123456789012"
          subscriptions_prefix          = "subscriptions/"
          kms_key_arn                   = "arn:aws:kms:eu-west-2:123456789012:key/00000000-0000-0000-0000-000000000001"
          dead_letters_kms_key_arn      = "arn:aws:kms:eu-west-2:123456789012:key/00000000-0000-0000-0000-000000000002"
          connections_kms_key_arn       = "arn:aws:kms:eu-west-2:123456789012:key/00000000-0000-0000-0000-000000000003"
          event_bus_names               = ["trust-callbacks-test-callbacks-0"]
          bus_source                    = "trust-callbacks.transform-filter"
          api_destinations_role_arn     = "arn:aws:iam::123456789012:role/trust-callbacks-test-api-destinations"
          alarm_topic_arn               = "arn:aws:sns:eu-west-2:123456789012:trust-callbacks-test-alarms"
          connection_sync_function_name = "trust-callbacks-test-connection-sync"
          subscription_index_keys       = ["subscriptions/index/bus-0.json"]
          holds = {
            hold_store_kms_key_arn = "arn:aws:kms:eu-west-2:123456789012:key/00000000-0000-0000-0000-000000000004"
            notices_kms_key_arn    = "arn:aws:kms:eu-west-2:123456789012:key/00000000-0000-0000-0000-000000000005"
            notifier_role_arn      = "arn:aws:iam::123456789012:role/trust-callbacks-test-notifier"
          }
          bus_logs = null
        }
      }
    }
  }
  expect_failures = [output.bus]
}

# Promise 8.10, round 1 of a change of event_buses.count (`make plan` sets bus_moves, and applies the buses highest
# first). RB2 hashes to bus 0 of 1 and of 4; RA1 and RC3 to bus 0 of 1 and bus 1 of 4. Per case:
#   growing 1 -> 4, bus 1 (new bus, higher): RA1, RC3 with rules on buses 1 and 0, listed -> bus 1, after the settle pause
#   growing 1 -> 4, bus 0 (old bus, lower):  RB2 -> bus 0 (not moving, one rule); RA1, RC3 still listed -> bus 1 (the higher)
#   shrinking 4 -> 1, bus 0 (new bus, lower): RA1, RC3 with rules on buses 0 and 1, listed -> bus 0
#   shrinking 4 -> 1, bus 1 (old bus, higher, past the count): still writes its shard, RA1, RC3 -> bus 1 (itself)
#   round 2 (no bus_moves): one rule per endpoint, no entry for a trust held elsewhere (the runs above this block)
run "a_moving_trust_has_rules_on_both_buses_in_its_new_bus_stack_which_lists_it_after_the_settle_pause" {
  command = plan
  variables {
    bus         = 1
    event_buses = { count = 4 }
    bus_moves   = { RA1 = { from = 0, to = 1 }, RC3 = { from = 0, to = 1 } }
  }

  assert {
    condition     = toset(keys(module.trust)) == toset(["RA1", "RC3"]) && alltrue([for id, trust in module.trust : alltrue([for endpoint in trust.endpoints : length(endpoint.rule_arns) == 2])])
    error_message = "promise 8.10: every endpoint of a trust moving to bus 1 has a rule on bus 1 and one on bus 0, in bus 1's stack"
  }
  assert {
    condition = {
      for id, entry in jsondecode(aws_s3_object.subscription_index_shard[0].content).trusts : id => entry.eventBus
    } == { RA1 = "trust-callbacks-test-callbacks-1", RC3 = "trust-callbacks-test-callbacks-1" }
    error_message = "promise 8.10: the new bus's shard names the new bus for the trusts moving to it"
  }
  assert {
    condition     = length(terraform_data.new_rules_settle) == 1 && terraform_data.new_rules_settle[0].triggers_replace == { RA1 = "trust-callbacks-test-callbacks-0", RC3 = "trust-callbacks-test-callbacks-0" }
    error_message = "promise 8.10: the shard naming the new bus is written a settle pause after the new rules (PutRule: a short period of time)"
  }
}

run "a_moving_trust_stays_listed_in_its_old_lower_bus_shard_naming_its_new_higher_bus" {
  command = plan
  variables {
    bus         = 0
    event_buses = { count = 4 }
    bus_moves   = { RA1 = { from = 0, to = 1 }, RC3 = { from = 0, to = 1 } }
  }

  assert {
    condition     = keys(module.trust) == ["RB2"] && alltrue([for endpoint in module.trust.RB2.endpoints : length(endpoint.rule_arns) == 1]) && length(terraform_data.new_rules_settle) == 0
    error_message = "promise 8.10: a trust not moving keeps its one rule per endpoint; the old bus's stack holds no moving trust"
  }
  assert {
    condition = jsondecode(aws_s3_object.subscription_index_shard[0].content).trusts == {
      RB2 = { key = "subscriptions/RB2.json", sha256 = sha256(file("tests/fixtures/three-trusts/RB2.json")), eventBus = "trust-callbacks-test-callbacks-0" }
      RA1 = { key = "subscriptions/RA1.json", sha256 = sha256(file("tests/fixtures/three-trusts/RA1.json")), eventBus = "trust-callbacks-test-callbacks-1" }
      RC3 = { key = "subscriptions/RC3.json", sha256 = sha256(file("tests/fixtures/three-trusts/RC3.json")), eventBus = "trust-callbacks-test-callbacks-1" }
    }
    error_message = "promise 8.10: the old bus's shard, read before the new one's, keeps the moving trusts listed, naming their new bus (its stack applied first)"
  }
}

run "a_moving_trust_to_a_lower_bus_has_rules_on_both_and_is_listed_there" {
  command = plan
  variables {
    bus         = 0
    event_buses = { count = 1 }
    bus_moves   = { RA1 = { from = 1, to = 0 }, RC3 = { from = 1, to = 0 } }
  }

  assert {
    condition     = alltrue([for id in ["RA1", "RC3"] : alltrue([for endpoint in module.trust[id].endpoints : length(endpoint.rule_arns) == 2])]) && alltrue([for endpoint in module.trust.RB2.endpoints : length(endpoint.rule_arns) == 1])
    error_message = "promise 8.10: the trusts moving to bus 0 have rules on buses 0 and 1; RB2, not moving, one"
  }
  assert {
    condition = {
      for id, entry in jsondecode(aws_s3_object.subscription_index_shard[0].content).trusts : id => entry.eventBus
    } == { RA1 = "trust-callbacks-test-callbacks-0", RB2 = "trust-callbacks-test-callbacks-0", RC3 = "trust-callbacks-test-callbacks-0" }
    error_message = "promise 8.10: the new bus's shard (read first) names the new bus"
  }
}

run "a_moving_trust_stays_listed_in_its_old_higher_bus_shard_naming_that_bus_even_past_the_count" {
  command = plan
  variables {
    bus         = 1
    event_buses = { count = 1 }
    bus_moves   = { RA1 = { from = 1, to = 0 }, RC3 = { from = 1, to = 0 } }
  }

  assert {
    condition     = length(module.trust) == 0 && length(aws_s3_object.subscription_index_shard) == 1
    error_message = "promise 8.10: a bus past the count still writes its shard while trusts move off it"
  }
  assert {
    condition = {
      for id, entry in jsondecode(aws_s3_object.subscription_index_shard[0].content).trusts : id => entry.eventBus
    } == { RA1 = "trust-callbacks-test-callbacks-1", RC3 = "trust-callbacks-test-callbacks-1" }
    error_message = "promise 8.10: the old bus's shard, read after the new one's, names the old bus, whose rules stay until round 2 (its stack applies before the new bus's rules exist)"
  }
}
