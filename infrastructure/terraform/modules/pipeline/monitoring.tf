locals {
  # The Lambda's metrics (lambdas/transform-filter/src/metrics.ts): Powertools writes them as EMF to stdout,
  # whatever LOG_LEVEL says, with the dimensions `service` and `Environment`. An alarm names all of them.
  lambda_metric_dimensions = { Environment = var.environment, service = "transform-filter" }
}

resource "aws_sns_topic" "alarms" {
  name              = "${local.name}-alarms"
  kms_master_key_id = aws_kms_key.main.arn
}

# Per rule, in one alarm per bus and metric: a Metrics Insights query grouped by RuleName makes each rule a
# contributor of the alarm (CloudWatch User Guide, "Create a CloudWatch alarm based on a Metrics Insights query":
# queries that return multiple time series), so the number of alarms does not grow with the number of endpoints.
# EventBridge User Guide, "Monitoring Amazon EventBridge": FailedInvocations (deliveries given up on: after the
# retry policy, or at once for a non-retryable status) and InvocationsFailedToBeSentToDlq (a dead letter that
# could not be written to the trust's DLQ, so it is lost: queue policy, key policy or size).
# Every alarm on one metric of the pipeline, from one for_each (issue #26: the blocks were copies), keyed by a stable
# id; every one notifies the alarms topic and treats silence as OK. The per-rule alarms and the quota alarm, which are
# metric queries, are below.
locals {
  metric_alarms = {
    lambda_errors = {
      name        = "${local.lambda_name}-errors"
      description = "transform-filter invocations are failing as a whole (the Pipe retries the batch)."
      namespace   = "AWS/Lambda", metric = "Errors", statistic = "Sum"
      dimensions  = { FunctionName = aws_lambda_function.transform_filter.function_name }
      ok_actions  = true
    }
    quarantined = {
      name        = "${local.name}-records-quarantined"
      description = "Records were quarantined (invalid, unknown trust, oversize). Inspect s3://${aws_s3_bucket.this["quarantine"].bucket}/${local.quarantine_prefix}"
      namespace   = "TrustCallbacks", metric = "quarantined", statistic = "Sum"
      dimensions  = local.lambda_metric_dimensions
    }
    # docs/guarantees.md 2.2: a delivery went out with a field it could not decrypt (a corrupt or foreign ciphertext,
    # listed in data.undecryptableFields). One is one too many: clinical content did not reach the trust.
    decrypt_failures = {
      name        = "${local.name}-decrypt-failures"
      description = "A delivery was sent with a field that could not be decrypted (corrupt or foreign ciphertext; named in its data.undecryptableFields). Ask the platform team which events carried it."
      namespace   = "TrustCallbacks", metric = "decryptFailures", statistic = "Sum"
      dimensions  = local.lambda_metric_dimensions
    }
    pipe_dlq_not_empty = {
      name        = "${local.name}-pipe-dlq-not-empty"
      description = "Stream records exhausted the Pipe's retries; their metadata is in ${aws_sqs_queue.pipe_dlq.name}."
      namespace   = "AWS/SQS", metric = "ApproximateNumberOfMessagesVisible", statistic = "Maximum"
      dimensions  = { QueueName = aws_sqs_queue.pipe_dlq.name }
    }
    bus_dlq_not_empty = {
      name        = "${local.name}-bus-dlq-not-empty"
      description = "A callbacks bus could not encrypt, decrypt or hand events to a target; they wait in ${aws_sqs_queue.bus_dlq.name}. Check the bus key policy and the rules' targets."
      namespace   = "AWS/SQS", metric = "ApproximateNumberOfMessagesVisible", statistic = "Maximum"
      dimensions  = { QueueName = aws_sqs_queue.bus_dlq.name }
    }
    # Capacity: the limits that throttle without failing anything visibly (infrastructure/terraform/README.md,
    # "Capacity and quotas"). Kinesis Data Streams Developer Guide, "Monitoring with CloudWatch":
    # GetRecords.IteratorAgeMilliseconds is the age of the oldest record a consumer (here the Pipe) has yet to read.
    source_falling_behind = {
      name        = "${local.name}-source-falling-behind"
      description = "The Pipe is more than ${var.source_iterator_age_alarm_seconds} s behind the stream: callbacks are late. Check the Lambda's errors, duration and throttles, the Pipe's failures, and PutEvents throttling; raise pipe.parallelization_factor or the Lambda's concurrency."
      namespace   = "AWS/Kinesis", metric = "GetRecords.IteratorAgeMilliseconds", statistic = "Maximum"
      dimensions  = { StreamName = element(split("/", local.source_stream_arn), 1) }
      period      = 60, evaluation_periods = 5, threshold = var.source_iterator_age_alarm_seconds * 1000
      ok_actions  = true
    }
    # EventBridge User Guide, "Monitoring Amazon EventBridge Pipes": namespace AWS/EventBridge/Pipes, dimension PipeName.
    pipe_execution_failed = {
      name        = "${local.name}-pipe-ExecutionFailed"
      description = "Pipe executions failed (the Lambda could not be invoked or failed as a whole); records are retried, then dead-lettered to ${aws_sqs_queue.pipe_dlq.name}."
      namespace   = "AWS/EventBridge/Pipes", metric = "ExecutionFailed", statistic = "Sum"
      dimensions  = { PipeName = aws_pipes_pipe.source.name }
    }
    pipe_execution_throttled = {
      name        = "${local.name}-pipe-ExecutionThrottled"
      description = "Pipe executions were throttled (Pipes concurrency or the Lambda's concurrency): callbacks are delayed."
      namespace   = "AWS/EventBridge/Pipes", metric = "ExecutionThrottled", statistic = "Sum"
      dimensions  = { PipeName = aws_pipes_pipe.source.name }
    }
    lambda_throttles = {
      name        = "${local.lambda_name}-throttles"
      description = "transform-filter invocations were throttled (reserved or account concurrency): the Pipe retries, callbacks are delayed."
      namespace   = "AWS/Lambda", metric = "Throttles", statistic = "Sum"
      dimensions  = { FunctionName = aws_lambda_function.transform_filter.function_name }
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "metric" {
  for_each            = local.metric_alarms
  alarm_name          = each.value.name
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric
  dimensions          = each.value.dimensions
  statistic           = each.value.statistic
  period              = try(each.value.period, 300)
  evaluation_periods  = try(each.value.evaluation_periods, 1)
  threshold           = try(each.value.threshold, 0)
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = try(each.value.ok_actions, false) ? [aws_sns_topic.alarms.arn] : []
}

locals {
  rule_alarms = {
    for pair in setproduct(range(var.event_bus_count), ["FailedInvocations", "InvocationsFailedToBeSentToDlq"]) :
    "${pair[0]}-${pair[1]}" => { bus = local.event_bus_names[pair[0]], metric = pair[1] }
  }
  rule_alarm_descriptions = {
    FailedInvocations              = "Deliveries to a trust endpoint failed after EventBridge's retries (or at once on a non-retryable status) and went to its trust's DLQ. The contributor names the rule (<prefix>-<ODS>-<endpoint>). Runbook: docs/runbook.md"
    InvocationsFailedToBeSentToDlq = "Dead letters could NOT be written to a trust's DLQ and are lost: check the DLQ's queue policy, the key policy (EventBridgeDeadLettersToThisDeploymentsQueues) and message size. The contributor names the rule. Runbook: docs/runbook.md"
  }
}

resource "aws_cloudwatch_metric_alarm" "rules" {
  for_each            = local.rule_alarms
  alarm_name          = "${each.value.bus}-${each.value.metric}"
  alarm_description   = local.rule_alarm_descriptions[each.value.metric]
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  evaluation_periods  = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]

  metric_query {
    id          = "perRule"
    expression  = "SELECT SUM(${each.value.metric}) FROM SCHEMA(\"AWS/Events\", EventBusName, RuleName) WHERE EventBusName = '${each.value.bus}' GROUP BY RuleName"
    period      = 300
    return_data = true
  }
  depends_on = [aws_cloudwatch_event_bus.callbacks]
}

# EventBridge User Guide, "Monitoring Amazon EventBridge": InvocationsCreated (no dimension) "is typically used to
# monitor the utilization of the Invocations throttle limit in transactions per second" (account-wide, shared with
# anything else in the account). Alarm at 80% of the quota, before deliveries queue up behind throttling.
resource "aws_cloudwatch_metric_alarm" "target_invocations_near_quota" {
  alarm_name          = "${local.name}-target-invocations-near-quota"
  alarm_description   = "EventBridge target invocations in this account are above 80% of the ${var.account_quotas.target_invocations_per_second}/s quota: deliveries will be throttled and delayed. Raise \"Invocations throttle limit in transactions per second\" in Service Quotas and set account_quotas."
  namespace           = "AWS/Events"
  metric_name         = "InvocationsCreated"
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 3
  threshold           = var.account_quotas.target_invocations_per_second * 60 * 0.8
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = local.name
  dashboard_body = jsonencode({
    widgets = [
      {
        type = "metric", x = 0, y = 0, width = 12, height = 6
        properties = {
          title   = "Records by outcome"
          region  = local.region
          stat    = "Sum"
          period  = 60
          metrics = [for name in ["received", "published", "filtered", "quarantined", "retried", "ColdStart"] : ["TrustCallbacks", name, "Environment", var.environment, "service", "transform-filter"]]
        }
      },
      {
        type = "metric", x = 12, y = 0, width = 12, height = 6
        properties = {
          title  = "transform-filter"
          region = local.region
          period = 60
          metrics = [
            ["AWS/Lambda", "Duration", "FunctionName", local.lambda_name, { stat = "p99" }],
            ["AWS/Lambda", "Errors", "FunctionName", local.lambda_name, { stat = "Sum" }],
            ["AWS/Lambda", "Throttles", "FunctionName", local.lambda_name, { stat = "Sum" }],
          ]
        }
      },
      {
        # Search expressions, not one line per queue: the body stays the same size at any number of trusts
        # (CloudWatch User Guide, "Use search expressions in graphs").
        type = "metric", x = 0, y = 6, width = 12, height = 6
        properties = {
          title   = "DLQ depth (10 deepest)"
          region  = local.region
          period  = 300
          metrics = [[{ id = "depth", expression = "SORT(SEARCH('{AWS/SQS,QueueName} MetricName=\"ApproximateNumberOfMessagesVisible\" QueueName=\"${local.name}-\"', 'Maximum', 300), MAX, DESC, 10)" }]]
        }
      },
      {
        type = "metric", x = 12, y = 6, width = 12, height = 6
        properties = {
          title   = "Age of the oldest DLQ message, seconds (10 oldest)"
          region  = local.region
          period  = 300
          metrics = [[{ id = "age", expression = "SORT(SEARCH('{AWS/SQS,QueueName} MetricName=\"ApproximateAgeOfOldestMessage\" QueueName=\"${local.name}-\"', 'Maximum', 300), MAX, DESC, 10)" }]]
        }
      },
      {
        # The call history (one "delivery published" line per delivery, at info) counted per trust: no metric per
        # trust (a custom metric per trust would cost per trust and month). CloudWatch API Reference, "Dashboard
        # Body Structure and Syntax", log widget: query "SOURCE '<log group>' | ...", view "table".
        type = "log", x = 0, y = 18, width = 24, height = 6
        properties = {
          title  = "Deliveries published per trust (call history, top 50)"
          region = local.region
          view   = "table"
          query  = "SOURCE '${aws_cloudwatch_log_group.lambda.name}' | filter message = \"delivery published\" | stats count(*) as deliveries by trustId | sort deliveries desc | limit 50"
        }
      },
      {
        type = "metric", x = 0, y = 12, width = 24, height = 6
        properties = {
          title  = "Deliveries by rule (trust endpoint): invocations and failures, top 20"
          region = local.region
          period = 300
          metrics = [
            [{ id = "invocations", expression = "SORT(SEARCH('{AWS/Events,EventBusName,RuleName} MetricName=\"Invocations\" EventBusName=\"${local.name}-callbacks-\"', 'Sum', 300), SUM, DESC, 20)" }],
            [{ id = "failed", expression = "SEARCH('{AWS/Events,EventBusName,RuleName} MetricName=\"FailedInvocations\" EventBusName=\"${local.name}-callbacks-\"', 'Sum', 300)" }],
          ]
        }
      },
    ]
  })
}
