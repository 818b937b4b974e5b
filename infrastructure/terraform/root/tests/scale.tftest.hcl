# Plans one part of the root over a directory of generated trust files (scripts/terraform/scale-plan.ts passes
# -var part=..., -var trusts_dir=..., the bus settings and, for bus and index parts, a var file with a realistic
# `pipeline`), with mocked AWS: how long each part's plan takes at scale.
mock_provider "aws" {
  source = "../tests/mocks"
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

run "plans_every_generated_trust_of_the_part" {
  command = plan

  assert {
    condition = length(output.trusts) == length([for file in fileset(var.trusts_dir, "*.json") : file
    if "bus-${parseint(substr(sha256(trimsuffix(file, ".json")), 0, 8), 16) % var.event_buses.count}" == var.part])
    error_message = "a bus part plans every generated trust whose ODS code hashes to its bus, and the other parts none"
  }
  assert {
    condition     = length(aws_s3_object.subscription_index) == (var.part == "index" ? 1 : 0) && length(module.pipeline) == (var.part == "pipeline" ? 1 : 0)
    error_message = "the index is planned by the index part only, the pipeline by the pipeline part only"
  }
}
