mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  environment          = "test"
  lambda_zip_path      = "../../../../.build/lambdas/transform-filter.zip"
  signing_secret_names = ["tc/RX1/ehr/signing", "tc/RX2/pas/signing"]
  pipe                 = { batch_size = 200, maximum_retry_attempts = 20 }
  lambda               = { reserved_concurrency = 5 }
}

run "least_privilege_iam_without_wildcard_actions" {
  command = apply

  assert {
    condition = alltrue(flatten([
      for policy in [aws_iam_role_policy.lambda.policy, aws_iam_role_policy.pipe.policy, aws_kms_key.main.policy, aws_kms_key.connections.policy] : [
        for statement in jsondecode(policy).Statement : [for action in flatten([statement.Action]) : !strcontains(action, "*")]
      ]
    ]))
    error_message = "no IAM or key policy statement may use a wildcard action"
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.lambda.policy).Statement : s.Resource if s.Sid == "PublishToCallbacksBus"]) == [aws_cloudwatch_event_bus.callbacks.arn]
    error_message = "the Lambda may PutEvents on the callbacks bus only"
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.lambda.policy).Statement : s.Condition if s.Sid == "UnwrapFieldDataKeys"])["StringEquals"]["kms:EncryptionContext:purpose"] == "trust-callbacks-field-key"
    error_message = "kms:Decrypt on the data-key key is bound to the encryption context"
  }
  assert {
    condition     = length(one([for s in jsondecode(aws_iam_role_policy.lambda.policy).Statement : s.Resource if s.Sid == "ReadSigningSecrets"])) == 2
    error_message = "the Lambda may read exactly the signing secrets of the deployed endpoints"
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.lambda.policy).Statement : s.Resource if s.Sid == "ReadSubscriptionDocuments"]) == ["${aws_s3_bucket.this["config"].arn}/subscriptions/*"]
    error_message = "GetObject only on the subscription prefix"
  }
}

run "pipe_reads_the_stream_in_bounded_retried_batches" {
  command = apply

  assert {
    condition = (
      aws_pipes_pipe.source.source_parameters[0].kinesis_stream_parameters[0].batch_size == 200 &&
      aws_pipes_pipe.source.source_parameters[0].kinesis_stream_parameters[0].on_partial_batch_item_failure == "AUTOMATIC_BISECT" &&
      aws_pipes_pipe.source.source_parameters[0].kinesis_stream_parameters[0].maximum_retry_attempts == 20 &&
      aws_pipes_pipe.source.source_parameters[0].kinesis_stream_parameters[0].maximum_record_age_in_seconds == 86400 &&
      aws_pipes_pipe.source.source_parameters[0].kinesis_stream_parameters[0].dead_letter_config[0].arn == aws_sqs_queue.pipe_dlq.arn
    )
    error_message = "batching, bisect on partial failure, bounded retries, record age and a DLQ are set"
  }
  assert {
    condition     = aws_pipes_pipe.source.target_parameters[0].lambda_function_parameters[0].invocation_type == "REQUEST_RESPONSE"
    error_message = "partial batch failures need synchronous invocation"
  }
  assert {
    condition     = aws_lambda_function.transform_filter.tracing_config[0].mode == "Active" && aws_lambda_function.transform_filter.reserved_concurrent_executions == 5
    error_message = "the Lambda is traced and its concurrency configurable"
  }
  assert {
    condition     = aws_lambda_function.transform_filter.environment[0].variables.EVENT_BUS_NAME == "trust-callbacks-test-callbacks" && aws_lambda_function.transform_filter.environment[0].variables.SUBSCRIPTIONS_PREFIX == "subscriptions/"
    error_message = "the Lambda is told where the bus and the documents are"
  }
  assert {
    condition     = aws_lambda_function.transform_filter.environment[0].variables.NODE_OPTIONS == "--enable-source-maps --max-semi-space-size=64"
    error_message = "the Lambda runs with the young generation the benchmark measured (scripts/bench)"
  }
  assert {
    condition     = aws_lambda_function.transform_filter.runtime == "nodejs22.x" && aws_lambda_function.transform_filter.architectures == tolist(["arm64"])
    error_message = "a Node.js runtime Lambda still supports (nodejs20.x is deprecated), on Graviton"
  }
}

run "encryption_at_rest_with_customer_managed_keys" {
  command = apply

  assert {
    condition     = alltrue([for config in aws_s3_bucket_server_side_encryption_configuration.this : one(one(config.rule).apply_server_side_encryption_by_default).kms_master_key_id == aws_kms_key.main.arn])
    error_message = "buckets are encrypted with the CMK"
  }
  assert {
    condition     = alltrue([for block in aws_s3_bucket_public_access_block.this : block.block_public_acls && block.block_public_policy && block.restrict_public_buckets && block.ignore_public_acls])
    error_message = "public access is blocked"
  }
  assert {
    condition     = alltrue([for policy in aws_s3_bucket_policy.tls_only : jsondecode(policy.policy).Statement[0].Condition.Bool["aws:SecureTransport"] == "false" && jsondecode(policy.policy).Statement[0].Effect == "Deny"])
    error_message = "buckets refuse plain HTTP"
  }
  assert {
    condition = (
      aws_sqs_queue.pipe_dlq.kms_master_key_id == aws_kms_key.main.arn &&
      aws_kinesis_stream.source[0].kms_key_id == aws_kms_key.main.arn &&
      aws_cloudwatch_log_group.lambda.kms_key_id == aws_kms_key.main.arn &&
      aws_cloudwatch_log_group.pipe.kms_key_id == aws_kms_key.main.arn &&
      aws_cloudwatch_event_bus.callbacks.kms_key_identifier == aws_kms_key.main.arn &&
      aws_sns_topic.alarms.kms_master_key_id == aws_kms_key.main.arn &&
      aws_lambda_function.transform_filter.kms_key_arn == aws_kms_key.main.arn
    )
    error_message = "stream, queues, logs, bus, topic and Lambda environment use the CMK"
  }
  assert {
    condition     = aws_kms_key.connections.tags["EventBridgeApiDestinations"] == "true"
    error_message = "EventBridge only uses a connection key tagged EventBridgeApiDestinations=true"
  }
}

run "uses_an_existing_stream_and_data_key" {
  command = apply
  variables {
    source_stream_arn         = "arn:aws:kinesis:eu-west-2:210987654321:stream/platform-conversation-events"
    source_stream_kms_key_arn = "arn:aws:kms:eu-west-2:210987654321:key/9a8b7c6d-0000-4000-8000-000000000001"
    data_key_kms_key_arn      = "arn:aws:kms:eu-west-2:210987654321:key/9a8b7c6d-0000-4000-8000-000000000002"
  }
  assert {
    condition     = length(aws_kinesis_stream.source) == 0 && length(aws_kms_key.data_keys) == 0 && aws_pipes_pipe.source.source == var.source_stream_arn
    error_message = "the platform's stream and key are used, not created"
  }
  assert {
    condition     = aws_lambda_function.transform_filter.environment[0].variables.DATA_KEY_KMS_KEY_ARN == var.data_key_kms_key_arn
    error_message = "the Lambda unwraps with the platform's key"
  }
}

run "sizes_the_young_generation_from_memory_unless_set" {
  command = plan
  variables {
    lambda = { memory_mb = 512 }
  }
  assert {
    condition     = aws_lambda_function.transform_filter.environment[0].variables.NODE_OPTIONS == "--enable-source-maps --max-semi-space-size=32"
    error_message = "memory_mb / 16 when v8_semi_space_mb is not set"
  }
}

run "rejects_a_young_generation_too_big_for_the_memory" {
  command = plan
  variables {
    lambda = { memory_mb = 512, v8_semi_space_mb = 64 }
  }
  expect_failures = [var.lambda]
}

run "rejects_unbounded_pipe_retries" {
  command = plan
  variables {
    pipe = { maximum_retry_attempts = -1 }
  }
  expect_failures = [var.pipe]
}
