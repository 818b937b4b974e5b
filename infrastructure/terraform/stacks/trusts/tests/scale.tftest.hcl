# Plans the trusts stack of one bus over a directory of generated trust files (scripts/terraform/scale-plan.ts passes
# -var bus=..., -var trusts_dir=..., the bus settings and a var file with a realistic `pipeline`), with mocked AWS:
# how long each bus's plan takes at scale.
mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  environment    = "test"
  aws_account_id = "123456789012"
  owner          = "tests"
}

run "plans_every_generated_trust_of_the_bus" {
  command = plan

  assert {
    condition = length(output.trusts) == length([for file in fileset(var.trusts_dir, "*.json") : file
    if parseint(substr(sha256(trimsuffix(file, ".json")), 0, 8), 16) % var.event_buses.count == var.bus])
    error_message = "a bus's stack plans every generated trust whose ODS code hashes to its bus, and no other"
  }
}
