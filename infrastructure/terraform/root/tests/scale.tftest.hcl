# Plans the root over a directory of generated trust files (scripts/terraform/scale-plan.ts passes
# -var trusts_dir=... and the bus settings), with mocked AWS: how long a plan takes at scale.
mock_provider "aws" {
  source = "../tests/mocks"
}

variables {
  environment        = "test"
  aws_account_id     = "123456789012"
  owner              = "tests"
  create_test_source = true
}

run "plans_every_generated_trust" {
  command = plan

  assert {
    condition     = length(output.trusts) == length(fileset(var.trusts_dir, "*.json"))
    error_message = "every generated trust file is planned"
  }
}
