resource "aws_sns_topic" "alarms" {
  name              = "${local.name}-alarms"
  kms_master_key_id = aws_kms_key.main.arn
}

resource "aws_cloudwatch_metric_alarm" "lambda_errors" {
  alarm_name          = "${local.lambda_name}-errors"
  alarm_description   = "transform-filter invocations are failing as a whole (the Pipe retries the batch)."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = aws_lambda_function.transform_filter.function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "quarantined" {
  alarm_name          = "${local.name}-records-quarantined"
  alarm_description   = "Records were quarantined (invalid, unknown trust, oversize). Inspect s3://${aws_s3_bucket.this["quarantine"].bucket}/${local.quarantine_prefix}"
  namespace           = "TrustCallbacks"
  metric_name         = "quarantined"
  dimensions          = { Environment = var.environment }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "pipe_dlq_not_empty" {
  alarm_name          = "${local.name}-pipe-dlq-not-empty"
  alarm_description   = "Stream records exhausted the Pipe's retries; their metadata is in ${aws_sqs_queue.pipe_dlq.name}."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.pipe_dlq.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
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
          metrics = [for name in ["received", "published", "filtered", "quarantined", "retried"] : ["TrustCallbacks", name, "Environment", var.environment]]
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
        type = "metric", x = 0, y = 6, width = 24, height = 6
        properties = {
          title   = "Trust DLQ depth"
          region  = local.region
          stat    = "Maximum"
          period  = 300
          metrics = [for queue in concat(var.trust_dlq_names, [aws_sqs_queue.pipe_dlq.name]) : ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", queue]]
        }
      },
    ]
  })
}
