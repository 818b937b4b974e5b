# docs/guarantees.md 10.42, 10.43 (issue #25): the trust's notice topic and one email subscription per contact. Who
# may publish is evaluated in scripts/terraform/policies.test.ts ("trust notices", the trust-topic policy).
mock_provider "aws" {
  source = "../../tests/mocks"

  override_during = plan
  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:eu-west-2:123456789012:trust-callbacks-test-RX1-notices" }
  }
}

variables {
  name_prefix                   = "trust-callbacks-test"
  config_bucket                 = "trust-callbacks-test-config-123456789012"
  kms_key_arn                   = "arn:aws:kms:eu-west-2:123456789012:key/0b6c2a52-4e1f-4c3b-9a7e-5d8f1e2a3b4c"
  dlq_kms_key_arn               = "arn:aws:kms:eu-west-2:123456789012:key/2d8e4c74-6a3b-4e5d-9c0a-7f0b3a4c5d6e"
  connection_kms_key_arn        = "arn:aws:kms:eu-west-2:123456789012:key/1c7d3b63-5f2a-4d4c-8b8f-6e9a2f3b4c5d"
  connection_sync_function_name = "trust-callbacks-test-connection-sync"
  invocation_role_arn           = "arn:aws:iam::123456789012:role/trust-callbacks-test-api-destinations"
  event_bus_name                = "trust-callbacks-test-callbacks-0"
  alarm_actions                 = ["arn:aws:sns:eu-west-2:123456789012:trust-callbacks-test-alarms"]
  subscription_document         = "{\"trustId\":\"RX1\"}"
  hold_store_kms_key_arn        = "arn:aws:kms:eu-west-2:123456789012:key/5f1d7c3e-2a4b-4c6d-8e9f-0a1b2c3d4e5f"
  notices_kms_key_arn           = "arn:aws:kms:eu-west-2:123456789012:key/6a2e8d4f-3b5c-4d7e-9f0a-1b2c3d4e5f60"
  notifier_role_arn             = "arn:aws:iam::123456789012:role/trust-callbacks-test-notifier"
  config = {
    trustId  = "RX1"
    name     = "Example NHS Trust"
    enabled  = true
    contacts = ["integration@rx1.example.nhs.uk", "On-Call@rx1.example.nhs.uk"]
    endpoints = [
      { id = "ehr", url = "https://ehr.example.nhs.uk/cb", signingSecret = "tc/test/signing/RX1/ehr", auth = { type = "basic", credentialsSecret = "tc/test/credentials/RX1/ehr" } },
      { id = "pas", url = "https://pas.example.nhs.uk/cb", signingSecret = "tc/test/signing/RX1/pas", auth = { type = "api_key", headerName = "x-api-key", credentialsSecret = "tc/test/credentials/RX1/pas" } },
    ]
  }
}

run "has_one_encrypted_topic_only_the_notifier_publishes_to" {
  command = plan

  assert {
    condition     = aws_sns_topic.notices.name == "trust-callbacks-test-RX1-notices" && aws_sns_topic.notices.kms_master_key_id == var.notices_kms_key_arn
    error_message = "the trust's topic is <prefix>-<ODS>-notices, encrypted with the environment's notices key"
  }
  assert {
    condition     = aws_sns_topic_policy.notices.policy == module.topic_policy.topic_policy && aws_sns_topic_policy.notices.arn == aws_sns_topic.notices.arn
    error_message = "the topic carries the policy scripts/terraform/policies.test.ts evaluates (the notifier alone publishes)"
  }
  assert {
    condition     = one([for s in jsondecode(module.topic_policy.topic_policy).Statement : s.Principal.AWS if s.Sid == "NotifierPublishes"]) == var.notifier_role_arn
    error_message = "the topic names the notifier's role as its publisher"
  }
}

run "subscribes_each_contact_by_email_keyed_by_address" {
  command = plan

  assert {
    condition     = toset(keys(aws_sns_topic_subscription.contacts)) == toset(["integration@rx1.example.nhs.uk", "On-Call@rx1.example.nhs.uk"])
    error_message = "one subscription per contacts address, keyed by the address"
  }
  assert {
    condition     = alltrue([for address, subscription in aws_sns_topic_subscription.contacts : subscription.protocol == "email" && subscription.endpoint == address])
    error_message = "each subscription is an email subscription of that address (the recipient confirms it)"
  }
  assert {
    condition     = jsonencode(output.notices.contacts) == jsonencode(["On-Call@rx1.example.nhs.uk", "integration@rx1.example.nhs.uk"]) && output.notices.topic_name == "trust-callbacks-test-RX1-notices"
    error_message = "the module says which addresses are subscribed to which topic"
  }
}

run "adding_a_contact_keeps_the_others" {
  command = plan
  variables {
    config = {
      trustId   = "RX1"
      name      = "Example NHS Trust"
      enabled   = true
      contacts  = ["integration@rx1.example.nhs.uk", "On-Call@rx1.example.nhs.uk", "new@rx1.example.nhs.uk"]
      endpoints = [{ id = "ehr", url = "https://ehr.example.nhs.uk/cb", signingSecret = "tc/test/signing/RX1/ehr", auth = { type = "basic", credentialsSecret = "tc/test/credentials/RX1/ehr" } }]
    }
  }

  assert {
    condition     = length(aws_sns_topic_subscription.contacts) == 3 && contains(keys(aws_sns_topic_subscription.contacts), "integration@rx1.example.nhs.uk")
    error_message = "subscriptions are keyed by address: a new address adds one and renames none"
  }
}

run "a_trust_without_contacts_has_a_topic_and_no_subscription" {
  command = plan
  variables {
    config = {
      trustId   = "RX1"
      name      = "Example NHS Trust"
      enabled   = true
      endpoints = [{ id = "ehr", url = "https://ehr.example.nhs.uk/cb", signingSecret = "tc/test/signing/RX1/ehr", auth = { type = "basic", credentialsSecret = "tc/test/credentials/RX1/ehr" } }]
    }
  }

  assert {
    condition     = length(aws_sns_topic_subscription.contacts) == 0 && aws_sns_topic.notices.name == "trust-callbacks-test-RX1-notices"
    error_message = "contacts is optional: the topic exists (the notifier can always publish), with no subscription"
  }
}

run "gives_each_endpoint_a_hold_store_with_the_holds_key" {
  command = plan

  assert {
    condition     = alltrue([for id, endpoint in module.endpoint : endpoint.hold_store.name == "trust-callbacks-test-RX1-${id}-hold.fifo"])
    error_message = "every endpoint of the trust has its hold store"
  }
}
