# The pipeline stack of the environment named by the -var-file `make tf-test` passes
# (environments/<env>/terraform.tfvars), with that environment's own trust files and mocked AWS (stacks/trusts/tests
# has the same for the trusts stack). Run once per environment.
mock_provider "aws" {
  source = "../../tests/mocks"
}

run "the_environments_pipeline_stack" {
  command = apply

  assert {
    condition     = alltrue([for rules in values(output.rules_per_bus) : rules <= var.event_buses.rules_per_bus_quota]) && length(output.rules_per_bus) == var.event_buses.count
    error_message = "no bus holds more rules than the quota"
  }
  assert {
    condition     = length(output.trusts_stack_inputs.event_bus_names) == var.event_buses.count
    error_message = "the pipeline stack creates every bus the trusts hash to"
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
