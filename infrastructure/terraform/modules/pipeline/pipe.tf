resource "aws_cloudwatch_log_group" "pipe" {
  name              = "/aws/vendedlogs/pipes/${local.name}-source"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.main.arn
}

resource "aws_iam_role" "pipe" {
  name               = "${local.name}-pipe"
  assume_role_policy = module.policies.pipe_trust_policy
}

resource "aws_iam_role_policy" "pipe" {
  name   = "source-to-lambda"
  role   = aws_iam_role.pipe.name
  policy = module.policies.pipe_role_policy
}

resource "aws_pipes_pipe" "source" {
  name     = "${local.name}-source"
  role_arn = aws_iam_role.pipe.arn
  source   = local.source_stream_arn
  target   = aws_lambda_function.transform_filter.arn

  source_parameters {
    kinesis_stream_parameters {
      starting_position                  = local.starting_position
      starting_position_timestamp        = var.pipe.starting_position_timestamp
      batch_size                         = var.pipe.batch_size
      maximum_batching_window_in_seconds = var.pipe.maximum_batching_window_in_seconds
      maximum_retry_attempts             = var.pipe.maximum_retry_attempts
      maximum_record_age_in_seconds      = var.pipe.maximum_record_age_in_seconds
      parallelization_factor             = var.pipe.parallelization_factor
      on_partial_batch_item_failure      = "AUTOMATIC_BISECT"
      dead_letter_config {
        arn = aws_sqs_queue.pipe_dlq.arn
      }
    }
  }

  target_parameters {
    lambda_function_parameters {
      # Partial batch failures are only read from synchronous invocations.
      invocation_type = "REQUEST_RESPONSE"
    }
  }

  log_configuration {
    level = "ERROR"
    cloudwatch_logs_log_destination {
      log_group_arn = aws_cloudwatch_log_group.pipe.arn
    }
  }

  depends_on = [aws_iam_role_policy.pipe]
}
