# Plans the environment named by the -var-file `make tf-test` passes (environments/<env>/terraform.tfvars),
# with that environment's own trust files and mocked AWS, part by part as `make apply` applies them: the pipeline
# part, bus part 0 fed with its outputs, the index part (every trust file on the bus its ODS code hashes to,
# main.tf bus_index_of). Run once per environment.
mock_provider "aws" {
  source = "../tests/mocks"
}

run "pipeline" {
  command = apply
  variables {
    part = "pipeline"
  }

  assert {
    condition     = alltrue([for rules in values(output.rules_per_bus) : rules <= var.event_buses.rules_per_bus_quota]) && length(output.rules_per_bus) == var.event_buses.count
    error_message = "no bus holds more rules than the quota"
  }
  assert {
    condition     = length(output.part_inputs.event_bus_names) == var.event_buses.count
    error_message = "the pipeline part creates every bus the trusts hash to"
  }
}

run "deploys_the_trust_files_of_bus_0" {
  command = apply
  variables {
    part     = "bus-0"
    pipeline = run.pipeline.part_inputs
  }

  assert {
    condition = toset(keys(output.trusts)) == toset([for file in fileset("../environments/${var.environment}/trusts", "*.json") : trimsuffix(file, ".json")
    if parseint(substr(sha256(trimsuffix(file, ".json")), 0, 8), 16) % var.event_buses.count == 0])
    error_message = "every trust file in environments/<env>/trusts whose ODS code hashes to bus 0 is deployed in bus part 0, and nothing else"
  }
  assert {
    condition     = alltrue([for id, trust in output.trusts : toset(keys(trust.endpoints)) == toset([for endpoint in jsondecode(file("../environments/${var.environment}/trusts/${id}.json")).endpoints : endpoint.id])])
    error_message = "every endpoint of every trust file is deployed"
  }
}

run "the_index_lists_every_trust_file_on_its_bus" {
  command = apply
  variables {
    part     = "index"
    pipeline = run.pipeline.part_inputs
  }

  assert {
    condition = { for id, entry in jsondecode(aws_s3_object.subscription_index[0].content).trusts : id => entry.eventBus } == {
      for file in fileset("../environments/${var.environment}/trusts", "*.json") : trimsuffix(file, ".json") =>
      run.pipeline.part_inputs.event_bus_names[parseint(substr(sha256(trimsuffix(file, ".json")), 0, 8), 16) % var.event_buses.count]
    }
    error_message = "every trust file of the environment is in the index, on the bus its part deploys its rules to"
  }
}

run "reads_the_platforms_stream_from_its_latest_records_outside_test" {
  command = plan
  variables {
    part = "pipeline"
  }

  assert {
    condition     = var.create_test_source || output.pipeline.source_stream_arn == var.source_stream.arn
    error_message = "staging and prod read the platform's stream, never a private one"
  }
  assert {
    condition     = output.pipeline.starting_position == (var.create_test_source ? "TRIM_HORIZON" : coalesce(var.pipe.starting_position, "LATEST"))
    error_message = "on the platform's stream the Pipe starts at LATEST unless the environment says otherwise"
  }
}
