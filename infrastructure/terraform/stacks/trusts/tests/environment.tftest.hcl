# The trusts stack of bus 0 of the environment named by the -var-file `make tf-test` passes
# (environments/<env>/terraform.tfvars), with that environment's own trust files, mocked AWS and a pipeline stack's
# outputs for its bus count. Run once per environment.
mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  pipeline = {
    name_prefix                   = "trust-callbacks-env"
    config_bucket                 = "trust-callbacks-env-config"
    subscriptions_prefix          = "subscriptions/"
    kms_key_arn                   = "arn:aws:kms:eu-west-2:123456789012:key/00000000-0000-0000-0000-000000000001"
    dead_letters_kms_key_arn      = "arn:aws:kms:eu-west-2:123456789012:key/00000000-0000-0000-0000-000000000002"
    connections_kms_key_arn       = "arn:aws:kms:eu-west-2:123456789012:key/00000000-0000-0000-0000-000000000003"
    event_bus_names               = [for index in range(50) : "trust-callbacks-env-callbacks-${index}"]
    bus_source                    = "trust-callbacks.transform-filter"
    api_destinations_role_arn     = "arn:aws:iam::123456789012:role/trust-callbacks-env-api-destinations"
    alarm_topic_arn               = "arn:aws:sns:eu-west-2:123456789012:trust-callbacks-env-alarms"
    connection_sync_function_name = "trust-callbacks-env-connection-sync"
    subscription_index_keys       = [for index in range(50) : "subscriptions/index/bus-${index}.json"]
    holds = {
      hold_store_kms_key_arn = "arn:aws:kms:eu-west-2:123456789012:key/00000000-0000-0000-0000-000000000004"
      notices_kms_key_arn    = "arn:aws:kms:eu-west-2:123456789012:key/00000000-0000-0000-0000-000000000005"
      notifier_role_arn      = "arn:aws:iam::123456789012:role/trust-callbacks-env-notifier"
    }
  }
}

run "deploys_the_trust_files_of_bus_0" {
  command = apply
  variables {
    bus = 0
  }

  assert {
    condition = toset(keys(output.trusts)) == toset([for file in fileset("../../environments/${var.environment}/trusts", "*.json") : trimsuffix(file, ".json")
    if parseint(substr(sha256(trimsuffix(file, ".json")), 0, 8), 16) % var.event_buses.count == 0])
    error_message = "every trust file in environments/<env>/trusts whose ODS code hashes to bus 0 is deployed in bus 0's stack, and nothing else"
  }
  assert {
    condition     = alltrue([for id, trust in output.trusts : toset(keys(trust.endpoints)) == toset([for endpoint in jsondecode(file("../../environments/${var.environment}/trusts/${id}.json")).endpoints : endpoint.id])])
    error_message = "every endpoint of every trust file is deployed"
  }
  assert {
    condition     = keys(jsondecode(aws_s3_object.subscription_index_shard[0].content).trusts) == keys(output.trusts)
    error_message = "bus 0's index shard lists exactly the trusts it deploys"
  }
}
