mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  bus_name                 = "trust-callbacks-prod-callbacks-11"
  bus_arn                  = "arn:aws:events:eu-west-2:123456789012:event-bus/trust-callbacks-prod-callbacks-11"
  delivery_destination_arn = "arn:aws:logs:eu-west-2:123456789012:delivery-destination:trust-callbacks-prod-bus-logs"
}

# Promise 8.6: a level delivers its own log type and every type below it, each from a source on this bus.
run "info_delivers_error_and_info_records" {
  command = apply
  variables {
    level = "INFO"
  }

  assert {
    condition     = output.log_types == ["ERROR_LOGS", "INFO_LOGS"]
    error_message = "INFO delivers ERROR_LOGS and INFO_LOGS"
  }
  assert {
    condition = (
      aws_cloudwatch_log_delivery_source.error.log_type == "ERROR_LOGS" && aws_cloudwatch_log_delivery_source.info[0].log_type == "INFO_LOGS" &&
      aws_cloudwatch_log_delivery_source.error.resource_arn == var.bus_arn && aws_cloudwatch_log_delivery_source.info[0].resource_arn == var.bus_arn &&
      length(aws_cloudwatch_log_delivery_source.trace) == 0
    )
    error_message = "one source per log type, each on this bus"
  }
  assert {
    condition     = aws_cloudwatch_log_delivery.error.delivery_destination_arn == var.delivery_destination_arn && aws_cloudwatch_log_delivery.info[0].delivery_destination_arn == var.delivery_destination_arn
    error_message = "both deliveries go to the environment's destination"
  }
  # Promise 8.5: one at a time against the destination.
  assert {
    condition     = aws_cloudwatch_log_delivery.info[0].tags["after"] == aws_cloudwatch_log_delivery.error.id
    error_message = "the INFO delivery is created after the ERROR delivery (it names it)"
  }
}

run "trace_chains_three_deliveries" {
  command = apply
  variables {
    level = "TRACE"
  }

  assert {
    condition     = output.log_types == ["ERROR_LOGS", "INFO_LOGS", "TRACE_LOGS"]
    error_message = "TRACE delivers every log type"
  }
  assert {
    condition = (
      aws_cloudwatch_log_delivery.info[0].tags["after"] == aws_cloudwatch_log_delivery.error.id &&
      aws_cloudwatch_log_delivery.trace[0].tags["after"] == aws_cloudwatch_log_delivery.info[0].id
    )
    error_message = "the deliveries form one chain: ERROR, then INFO, then TRACE"
  }
}

run "error_delivers_error_records_only" {
  command = apply
  variables {
    level = "ERROR"
  }

  assert {
    condition     = output.log_types == ["ERROR_LOGS"] && length(aws_cloudwatch_log_delivery.info) == 0 && length(aws_cloudwatch_log_delivery.trace) == 0
    error_message = "ERROR delivers ERROR_LOGS only"
  }
}

run "refuses_off_and_unknown_levels" {
  command = plan
  variables {
    level = "OFF"
  }
  expect_failures = [var.level]
}
