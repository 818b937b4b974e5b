# Plans the pipeline stack over a directory of generated trust files (scripts/terraform/scale-plan.ts passes
# -var trusts_dir=... and the bus settings), with mocked AWS: how long the shared stack's plan takes at scale.
mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  environment        = "test"
  aws_account_id     = "123456789012"
  owner              = "tests"
  create_test_source = true
  # The generated trust files (scripts/terraform/scale-plan/trust-files.ts) name their secrets under these.
  signing_secret_prefix     = "trust-callbacks/test/signing/"
  credentials_secret_prefix = "trust-callbacks/test/credentials/"
}

run "plans_the_shared_stack_over_every_generated_trust" {
  command = plan

  assert {
    condition     = length(output.rules_per_bus) == var.event_buses.count
    error_message = "the pipeline stack counts every generated trust's rules per bus"
  }
}
