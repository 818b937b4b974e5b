# docs/guarantees.md 10.40 (issue #25): each endpoint's hold store and its two alarms. Who may read or write the store
# is evaluated in scripts/terraform/policies.test.ts ("holds and trust notices").
mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  name_prefix                   = "trust-callbacks-test"
  trust_id                      = "RX1"
  trust_enabled                 = true
  event_bus_name                = "trust-callbacks-test-callbacks-0"
  dead_letter_queue_arn         = "arn:aws:sqs:eu-west-2:123456789012:trust-callbacks-test-RX1-dlq"
  invocation_role_arn           = "arn:aws:iam::123456789012:role/trust-callbacks-test-api-destinations"
  connection_kms_key_arn        = "arn:aws:kms:eu-west-2:123456789012:key/0b6c2a52-4e1f-4c3b-9a7e-5d8f1e2a3b4c"
  connection_sync_function_name = "trust-callbacks-test-connection-sync"
  hold_store_kms_key_arn        = "arn:aws:kms:eu-west-2:123456789012:key/5f1d7c3e-2a4b-4c6d-8e9f-0a1b2c3d4e5f"
  alarm_actions                 = ["arn:aws:sns:eu-west-2:123456789012:trust-callbacks-test-alarms"]
  endpoint = {
    id                 = "ehr-main"
    url                = "https://ehr.rx1.example.nhs.uk/callbacks"
    signingSecret      = "tc/test/signing/RX1/ehr-main"
    auth               = { type = "basic", credentialsSecret = "tc/test/credentials/RX1/ehr-main" }
    rateLimitPerSecond = 25
    retryPolicy        = { maximumEventAgeSeconds = 3600, maximumRetryAttempts = 50 }
  }
}

run "keeps_held_deliveries_in_one_fifo_queue_per_endpoint_14_days_with_the_holds_key" {
  command = plan

  assert {
    condition     = aws_sqs_queue.hold.name == "trust-callbacks-test-RX1-ehr-main-hold.fifo" && aws_sqs_queue.hold.fifo_queue
    error_message = "the hold store is the FIFO queue holdQueueName() names: <prefix>-<ODS>-<endpoint>-hold.fifo"
  }
  assert {
    condition     = aws_sqs_queue.hold.message_retention_seconds == 1209600
    error_message = "the store keeps a delivery 14 days (HOLD_STORE_RETENTION_SECONDS), the most SQS allows"
  }
  assert {
    condition     = aws_sqs_queue.hold.kms_master_key_id == var.hold_store_kms_key_arn
    error_message = "the store is encrypted with the environment's holds key (a customer-managed key)"
  }
  assert {
    condition     = !aws_sqs_queue.hold.content_based_deduplication && aws_sqs_queue.hold.deduplication_scope == "queue" && aws_sqs_queue.hold.fifo_throughput_limit == "perQueue"
    error_message = "the CloudEvent id is the deduplication id (no content-based deduplication), over the whole queue (one message group)"
  }
  assert {
    condition     = aws_sqs_queue.hold.max_message_size == 262144 && aws_sqs_queue.hold.visibility_timeout_seconds == 60
    error_message = "a held delivery may be as large as a dead letter (256 KiB); an interrupted drain's deliveries come back after 60 s"
  }
}

run "alarms_when_the_oldest_held_delivery_reaches_80_percent_of_retention" {
  command = plan

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.hold_age.alarm_name == "trust-callbacks-test-RX1-ehr-main-hold-age" &&
      aws_cloudwatch_metric_alarm.hold_age.namespace == "AWS/SQS" &&
      aws_cloudwatch_metric_alarm.hold_age.metric_name == "ApproximateAgeOfOldestMessage" &&
      aws_cloudwatch_metric_alarm.hold_age.dimensions["QueueName"] == "trust-callbacks-test-RX1-ehr-main-hold.fifo" && length(aws_cloudwatch_metric_alarm.hold_age.dimensions) == 1
    )
    error_message = "the age alarm watches the age of the oldest message of this endpoint's hold store"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.hold_age.threshold == 967680 && aws_cloudwatch_metric_alarm.hold_age.comparison_operator == "GreaterThanOrEqualToThreshold" && aws_cloudwatch_metric_alarm.hold_age.statistic == "Maximum"
    error_message = "the alarm fires when the oldest held delivery is 80 % of 14 days old (967,680 s)"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.hold_age.alarm_actions == toset(var.alarm_actions) && aws_cloudwatch_metric_alarm.hold_age.treat_missing_data == "notBreaching"
    error_message = "support is told (the alarm topic); an empty store publishes no age and is not breaching"
  }
}

run "has_a_dead_letter_alarm_the_notifier_hears" {
  command = plan

  assert {
    condition     = aws_cloudwatch_metric_alarm.dead_letters.alarm_name == "trust-callbacks-test-RX1-ehr-main-dead-letters"
    error_message = "the alarm is <prefix>-<ODS>-<endpoint>-dead-letters: the notifier's rule matches that name"
  }
  assert {
    condition = (
      aws_cloudwatch_metric_alarm.dead_letters.namespace == "AWS/Events" && aws_cloudwatch_metric_alarm.dead_letters.metric_name == "InvocationsSentToDlq" &&
      aws_cloudwatch_metric_alarm.dead_letters.dimensions["EventBusName"] == "trust-callbacks-test-callbacks-0" && aws_cloudwatch_metric_alarm.dead_letters.dimensions["RuleName"] == "trust-callbacks-test-RX1-ehr-main" &&
      aws_cloudwatch_metric_alarm.dead_letters.statistic == "Sum" && length(aws_cloudwatch_metric_alarm.dead_letters.metric_query) == 0
    )
    error_message = "the alarm counts the endpoint rule's dead letters on its bus, as a standard metric alarm (Metrics Insights alarms are limited to 200 per Region)"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.dead_letters.threshold == 0 && aws_cloudwatch_metric_alarm.dead_letters.comparison_operator == "GreaterThanThreshold" && aws_cloudwatch_metric_alarm.dead_letters.datapoints_to_alarm == 1 && aws_cloudwatch_metric_alarm.dead_letters.evaluation_periods == 3
    error_message = "failing at the first dead letter; recovered after three clean 5-minute periods"
  }
  assert {
    condition     = length(coalesce(aws_cloudwatch_metric_alarm.dead_letters.alarm_actions, toset([]))) == 0
    error_message = "the trust is told through the notifier's rule, not an alarm action; support has the trust's DLQ alarm"
  }
}

# 8.10, 10.40: while the trust moves between buses the endpoint has a rule on each; dead letters of either tell the trust.
run "counts_the_dead_letters_of_both_rules_while_the_trust_moves_between_buses" {
  command = plan
  variables {
    previous_event_bus_name = "trust-callbacks-test-callbacks-1"
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.dead_letters.alarm_name == "trust-callbacks-test-RX1-ehr-main-dead-letters" &&
      toset([for q in aws_cloudwatch_metric_alarm.dead_letters.metric_query : q.metric[0].dimensions["EventBusName"] if length(q.metric) > 0]) == toset(["trust-callbacks-test-callbacks-0", "trust-callbacks-test-callbacks-1"]) &&
      alltrue([for q in aws_cloudwatch_metric_alarm.dead_letters.metric_query : q.metric[0].dimensions["RuleName"] == "trust-callbacks-test-RX1-ehr-main" && q.metric[0].metric_name == "InvocationsSentToDlq" && q.metric[0].stat == "Sum" if length(q.metric) > 0]) &&
      length([for q in aws_cloudwatch_metric_alarm.dead_letters.metric_query : q if q.return_data == true]) == 1
    )
    error_message = "during a move the one alarm sums InvocationsSentToDlq of the endpoint's rule on both buses"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.dead_letters.threshold == 0 && aws_cloudwatch_metric_alarm.dead_letters.evaluation_periods == 3 && aws_cloudwatch_metric_alarm.dead_letters.datapoints_to_alarm == 1
    error_message = "the same thresholds as outside a move"
  }
}

run "refuses_a_hold_store_key_that_is_not_a_kms_key" {
  command = plan
  variables {
    hold_store_kms_key_arn = "alias/trust-callbacks-test-holds"
  }
  expect_failures = [var.hold_store_kms_key_arn]
}
