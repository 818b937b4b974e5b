# Plans the environment named by the -var-file `make tf-test` passes (environments/<env>/terraform.tfvars),
# with that environment's own trust files and mocked AWS. Run once per environment.
mock_provider "aws" {
  source = "../tests/mocks"
}

run "deploys_every_trust_file_of_the_environment" {
  command = apply

  assert {
    condition     = toset(keys(output.trusts)) == toset([for file in fileset("../environments/${var.environment}/trusts", "*.json") : trimsuffix(file, ".json")])
    error_message = "every trust file in environments/<env>/trusts is deployed, and nothing else"
  }
  assert {
    condition     = alltrue([for id, trust in output.trusts : toset(keys(trust.endpoints)) == toset([for endpoint in jsondecode(file("../environments/${var.environment}/trusts/${id}.json")).endpoints : endpoint.id])])
    error_message = "every endpoint of every trust file is deployed"
  }
  assert {
    condition     = alltrue([for rules in values(output.rules_per_bus) : rules <= var.event_buses.rules_per_bus_quota])
    error_message = "no bus holds more rules than the quota"
  }
}

run "reads_the_platforms_stream_from_its_latest_records_outside_test" {
  command = plan

  assert {
    condition     = var.create_test_source || output.pipeline.source_stream_arn == var.source_stream.arn
    error_message = "staging and prod read the platform's stream, never a private one"
  }
  assert {
    condition     = output.pipeline.starting_position == (var.create_test_source ? "TRIM_HORIZON" : coalesce(var.pipe.starting_position, "LATEST"))
    error_message = "on the platform's stream the Pipe starts at LATEST unless the environment says otherwise"
  }
}
