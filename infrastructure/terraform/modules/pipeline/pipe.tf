resource "aws_cloudwatch_log_group" "pipe" {
  name              = "/aws/vendedlogs/pipes/${local.name}-source"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.main.arn
}

resource "aws_iam_role" "pipe" {
  name = "${local.name}-pipe"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "pipes.amazonaws.com" }
      Action    = ["sts:AssumeRole"]
      Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
    }]
  })
}

resource "aws_iam_role_policy" "pipe" {
  name = "source-to-lambda"
  role = aws_iam_role.pipe.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [
        {
          Sid    = "ReadSourceStream"
          Effect = "Allow"
          Action = [
            "kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords",
            "kinesis:GetShardIterator", "kinesis:ListShards", "kinesis:ListStreams", "kinesis:SubscribeToShard",
          ]
          Resource = [local.source_stream_arn]
        },
        {
          Sid      = "InvokeTransformFilter"
          Effect   = "Allow"
          Action   = ["lambda:InvokeFunction"]
          Resource = [aws_lambda_function.transform_filter.arn]
        },
        {
          Sid      = "DeadLetterQueue"
          Effect   = "Allow"
          Action   = ["sqs:SendMessage"]
          Resource = [aws_sqs_queue.pipe_dlq.arn]
        },
        {
          Sid      = "EncryptedQueueAndLogs"
          Effect   = "Allow"
          Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
          Resource = [aws_kms_key.main.arn]
        },
      ],
      [for key in local.source_stream_kms_keys : {
        Sid      = "DecryptSourceStream${index(local.source_stream_kms_keys, key)}"
        Effect   = "Allow"
        Action   = ["kms:Decrypt"]
        Resource = [key]
      }],
    )
  })
}

resource "aws_pipes_pipe" "source" {
  name     = "${local.name}-source"
  role_arn = aws_iam_role.pipe.arn
  source   = local.source_stream_arn
  target   = aws_lambda_function.transform_filter.arn

  source_parameters {
    kinesis_stream_parameters {
      starting_position                  = var.pipe.starting_position
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
