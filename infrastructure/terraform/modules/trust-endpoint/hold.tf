# The endpoint's hold store and its two alarms (issue #25; docs/adr/0002-holds.md; docs/guarantees.md 10.40).
# Kept apart from main.tf (connection, destination, rule, target) so that the delivery path and the hold path change
# independently.
locals {
  # holdQueueName() in schemas/src/holds.ts: <prefix>-<ODS>-<endpoint>-hold.fifo. The endpoint name is at most 64
  # characters (variables.tf), so the queue name is at most 74 of the 80 SQS allows (SQS API Reference, CreateQueue:
  # "A FIFO queue name must end with the .fifo suffix", up to 80 characters).
  hold_store_name = "${local.name}-hold.fifo"
  # HOLD_STORE_RETENTION_SECONDS in schemas/src/holds.ts: the most SQS keeps a message, 14 days (SQS API Reference,
  # SetQueueAttributes, MessageRetentionPeriod: 60 to 1,209,600 seconds). A trust file's hold is at most 13 days.
  hold_store_retention_seconds = 1209600
  # Alarm when the oldest held delivery has used 80 % of that (11.2 days): time to end the hold or drain by hand.
  hold_store_age_threshold_seconds = floor(local.hold_store_retention_seconds * 0.8)
}

# One FIFO queue per endpoint: a FIFO receive cannot choose a message group, so a trust-wide queue would hand one
# endpoint's drain another's deliveries (ADR 0002). Every delivery is one message group (HOLD_MESSAGE_GROUP) and
# carries its CloudEvent id as deduplication id (no content-based deduplication: a re-signed delivery's body
# differs). Deduplication scope is the queue and throughput per queue: with one message group, high-throughput mode
# (messageGroup scope, perMessageGroupId limit) would add nothing, since its higher quota is spread across message
# groups (Amazon SQS Developer Guide, "High throughput for FIFO queues",
# https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/high-throughput-fifo.html). SQS keeps a
# deduplication id 5 minutes (Developer Guide, "Exactly-once processing in Amazon SQS"): a delivery sent again later
# (a retried batch) is held twice, and the receiver dedupes by webhook-id, as for any redelivery.
resource "aws_sqs_queue" "hold" {
  name                        = local.hold_store_name
  fifo_queue                  = true
  content_based_deduplication = false
  deduplication_scope         = "queue"
  fifo_throughput_limit       = "perQueue"
  message_retention_seconds   = local.hold_store_retention_seconds
  # 256 KiB, the most provider 5.100 accepts; a delivery is never larger than a DLQ can keep (the Lambda's bound).
  max_message_size = 262144
  # The drain receives with a 60 s visibility timeout and works at most 50 s of its 60 s invocation: an interrupted
  # drain's undeleted deliveries come back after this, in order, and are sent again (same CloudEvent id).
  visibility_timeout_seconds = 60
  # SSE-KMS with the environment's holds key, which only the producers and the drain may use (10.41). SQS reuses a
  # data key for up to this long (Amazon SQS Developer Guide, "Amazon SQS key management": data key reuse period).
  kms_master_key_id                 = var.hold_store_kms_key_arn
  kms_data_key_reuse_period_seconds = 300
  tags                              = { TrustId = var.trust_id, EndpointId = var.endpoint.id, Purpose = "hold-store" }
}

# The store-age watch (ADR 0002: an ad-hoc hold without --until is watched by it). One per queue: a single
# environment-wide Metrics Insights query over every hold store would need a name-pattern filter (QueueName like
# '%-hold.fifo'), and we could not confirm one in its query reference (CloudWatch User Guide, "Metrics Insights query
# components and syntax", https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-querylanguage.html,
# whose WHERE examples compare whole values with = and !=). Unconfirmed, so not relied on.
# Cost: one standard alarm per endpoint ($0.10 a month each at list price; 3,000 endpoints, about $300 a month).
# ApproximateAgeOfOldestMessage is published for FIFO queues too (Amazon SQS Developer Guide, "Available CloudWatch
# metrics for Amazon SQS", https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html).
resource "aws_cloudwatch_metric_alarm" "hold_age" {
  alarm_name          = "${local.name}-hold-age"
  alarm_description   = "The oldest delivery held for ${var.trust_id} ${var.endpoint.id} has used 80 % of the ${local.hold_store_retention_seconds / 86400}-day retention of ${local.hold_store_name}: end the hold (support CLI resume). Runbook: README.md#holds"
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateAgeOfOldestMessage"
  dimensions          = { QueueName = aws_sqs_queue.hold.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = local.hold_store_age_threshold_seconds
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
}

# The endpoint's dead-letter alarm, which the notifier hears on the default bus (CloudWatch sends every alarm state
# change to EventBridge: CloudWatch User Guide, "Alarm events and EventBridge",
# https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html) and turns into the
# trust's "failing" (ALARM after OK) and "recovered" (OK) notices. No alarm action: support already has the trust's
# DLQ alarm (modules/trust). InvocationsSentToDlq is a rule metric with dimensions EventBusName and RuleName on a
# custom bus (EventBridge User Guide, "Monitoring Amazon EventBridge",
# https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html). A standard metric alarm, not a Metrics
# Insights one: an account has 200 Metrics Insights alarms per Region by default (CloudWatch User Guide, "Limits",
# https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-limits.html), and there is one of these per
# endpoint (3,000 at 1,000 trusts). It watches the rule on the endpoint's bus; while a trust moves between buses
# (previous_event_bus_name, 8.10) it sums the rule on each bus with metric math (FILL: a bus with no datapoint counts
# 0; CloudWatch User Guide, "Using metric math": https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html).
# Failing: any dead letter in a 5-minute period; recovered: 3 periods (15 minutes) without one.
locals {
  dead_letter_buses = var.previous_event_bus_name == null ? {} : { current = var.event_bus_name, previous = var.previous_event_bus_name }
}

resource "aws_cloudwatch_metric_alarm" "dead_letters" {
  alarm_name        = "${local.name}-dead-letters"
  alarm_description = "Deliveries to ${var.trust_id} ${var.endpoint.id} went to the trust's DLQ. The trust is told (notices) on ALARM after OK and on OK."
  # Outside a move: the one rule's metric. During a move: metric_query below, and these are unset.
  namespace   = var.previous_event_bus_name == null ? "AWS/Events" : null
  metric_name = var.previous_event_bus_name == null ? "InvocationsSentToDlq" : null
  dimensions  = var.previous_event_bus_name == null ? { EventBusName = var.event_bus_name, RuleName = local.name } : null
  statistic   = var.previous_event_bus_name == null ? "Sum" : null
  period      = var.previous_event_bus_name == null ? 300 : null

  dynamic "metric_query" {
    for_each = var.previous_event_bus_name == null ? [] : ["both"]
    content {
      id          = "dead_letters"
      expression  = "FILL(current, 0) + FILL(previous, 0)"
      label       = "Dead letters of ${local.name} on both buses"
      return_data = true
    }
  }
  dynamic "metric_query" {
    for_each = local.dead_letter_buses
    content {
      id = metric_query.key
      metric {
        namespace   = "AWS/Events"
        metric_name = "InvocationsSentToDlq"
        dimensions  = { EventBusName = metric_query.value, RuleName = local.name }
        stat        = "Sum"
        period      = 300
      }
    }
  }

  evaluation_periods  = 3
  datapoints_to_alarm = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
}
