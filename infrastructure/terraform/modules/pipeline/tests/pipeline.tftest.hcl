mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  environment           = "test"
  lambda_zip_path       = "../../../../.build/lambdas/transform-filter.zip"
  create_test_source    = true
  signing_secret_prefix = "trust-callbacks/test/signing/"
  event_bus_count       = 3
  pipe                  = { batch_size = 200, maximum_retry_attempts = 20 }
  lambda                = { reserved_concurrency = 5 }
}

# Who may do what is evaluated in scripts/terraform/policies.test.ts (rendered by modules/policies/pipeline);
# these runs check that the resources use those documents.
run "least_privilege_iam_without_wildcard_actions" {
  command = apply

  assert {
    # The rule is for the roles the pipeline runs as. Key policies keep the documented account-root statement
    # (kms:*, delegating to IAM: KMS Developer Guide, "Default key policy"), and a Deny may name s3:* or sqs:*.
    condition = alltrue(flatten([
      for policy in [aws_iam_role_policy.lambda.policy, aws_iam_role_policy.pipe.policy, aws_iam_role_policy.api_destinations.policy] : [
        for statement in jsondecode(policy).Statement : [for action in flatten([statement.Action]) : !strcontains(action, "*")]
      ]
    ]))
    error_message = "no statement of a role the pipeline runs as may use a wildcard action"
  }
  assert {
    condition     = aws_iam_role_policy.lambda.policy == module.policies.lambda_role_policy && aws_iam_role_policy.pipe.policy == module.policies.pipe_role_policy && aws_iam_role_policy.api_destinations.policy == module.policies.api_destinations_role_policy
    error_message = "the roles carry the documents the policy tests evaluate"
  }
  assert {
    condition     = aws_kms_key.main.policy == module.policies.main_key_policy && aws_kms_key.dead_letters.policy == module.policies.dead_letters_key_policy && aws_kms_key.connections.policy == module.policies.connections_key_policy
    error_message = "the keys carry the documents the policy tests evaluate"
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.lambda.policy).Statement : s.Resource if s.Sid == "PublishToCallbacksBuses"]) == [for name in local.event_bus_names : "arn:aws:events:eu-west-2:123456789012:event-bus/${name}"]
    error_message = "the Lambda may PutEvents on the deployment's callbacks buses only"
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.lambda.policy).Statement : s.Resource if s.Sid == "ReadSigningSecrets"]) == ["arn:aws:secretsmanager:eu-west-2:123456789012:secret:trust-callbacks/test/signing/*"]
    error_message = "the Lambda reads signing secrets under the deployment's prefix, one pattern whatever the number of endpoints"
  }
}

run "spreads_rules_over_several_encrypted_buses_each_with_a_dlq" {
  command = apply

  assert {
    condition     = [for bus in aws_cloudwatch_event_bus.callbacks : bus.name] == ["trust-callbacks-test-callbacks-0", "trust-callbacks-test-callbacks-1", "trust-callbacks-test-callbacks-2"]
    error_message = "event_bus_count buses, named by index"
  }
  assert {
    condition     = alltrue([for bus in aws_cloudwatch_event_bus.callbacks : bus.kms_key_identifier == aws_kms_key.main.arn && bus.dead_letter_config[0].arn == aws_sqs_queue.bus_dlq.arn])
    error_message = "each bus is encrypted with the CMK and has a DLQ for events it cannot encrypt, decrypt or deliver"
  }
  assert {
    condition     = aws_sqs_queue.bus_dlq.kms_master_key_id == aws_kms_key.dead_letters.arn && aws_sqs_queue_policy.bus_dlq.policy == module.bus_dlq_policy.queue_policy
    error_message = "the bus DLQ is encrypted with the dead-letters key and accepts the buses"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.metric["bus_dlq_not_empty"].dimensions.QueueName == aws_sqs_queue.bus_dlq.name
    error_message = "an alarm watches the bus DLQ"
  }
  assert {
    condition = toset([for alarm in aws_cloudwatch_metric_alarm.rules : alarm.alarm_name]) == toset(flatten([
      for bus in local.event_bus_names : ["${bus}-FailedInvocations", "${bus}-InvocationsFailedToBeSentToDlq"]
    ]))
    error_message = "per bus: failed deliveries, and dead letters that could not be written"
  }
  assert {
    condition     = alltrue([for alarm in aws_cloudwatch_metric_alarm.rules : strcontains(one(alarm.metric_query).expression, "GROUP BY RuleName") && strcontains(one(alarm.metric_query).expression, "WHERE EventBusName = 'trust-callbacks-test-callbacks-")])
    error_message = "each rule of the bus is a contributor of its alarm"
  }
  assert {
    condition     = length(aws_cloudwatch_dashboard.this.dashboard_body) < 10000
    error_message = "the dashboard uses search expressions, not one line per trust"
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
      aws_pipes_pipe.source.source_parameters[0].kinesis_stream_parameters[0].dead_letter_config[0].arn == aws_sqs_queue.pipe_dlq.arn &&
      aws_pipes_pipe.source.source_parameters[0].kinesis_stream_parameters[0].starting_position == "TRIM_HORIZON"
    )
    error_message = "batching, bisect on partial failure, bounded retries, record age and a DLQ are set; a stream created here is read from its start"
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
    condition     = aws_lambda_function.transform_filter.environment[0].variables.SUBSCRIPTION_INDEX_KEYS == "subscriptions/index/bus-0.json,subscriptions/index/bus-1.json,subscriptions/index/bus-2.json" && aws_lambda_function.transform_filter.environment[0].variables.SUBSCRIPTIONS_PREFIX == "subscriptions/"
    error_message = "the Lambda is told where the bus, the documents and every bus's index shard are"
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
    condition     = alltrue([for key, policy in aws_s3_bucket_policy.tls_only : policy.policy == module.policies.bucket_policies[key]])
    error_message = "buckets carry the TLS-only policies the policy tests evaluate"
  }
  assert {
    condition     = one(one(aws_s3_bucket_lifecycle_configuration.config.rule).noncurrent_version_expiration).noncurrent_days == 90
    error_message = "old versions of the subscription documents expire"
  }
  assert {
    condition = (
      aws_sqs_queue.pipe_dlq.kms_master_key_id == aws_kms_key.main.arn &&
      aws_kinesis_stream.source[0].kms_key_id == aws_kms_key.main.arn &&
      aws_cloudwatch_log_group.lambda.kms_key_id == aws_kms_key.main.arn &&
      aws_cloudwatch_log_group.pipe.kms_key_id == aws_kms_key.main.arn &&
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

run "uses_the_platforms_stream_and_keys_from_its_latest_records" {
  command = apply
  variables {
    create_test_source = false
    source_stream = {
      arn                  = "arn:aws:kinesis:eu-west-2:210987654321:stream/platform-conversation-events"
      kms_key_arn          = "arn:aws:kms:eu-west-2:210987654321:key/9a8b7c6d-0000-4000-8000-000000000001"
      data_key_kms_key_arn = "arn:aws:kms:eu-west-2:210987654321:key/9a8b7c6d-0000-4000-8000-000000000002"
    }
  }
  assert {
    condition     = length(aws_kinesis_stream.source) == 0 && length(aws_kms_key.data_keys) == 0 && aws_pipes_pipe.source.source == var.source_stream.arn
    error_message = "the platform's stream and key are used, not created"
  }
  assert {
    condition     = aws_pipes_pipe.source.source_parameters[0].kinesis_stream_parameters[0].starting_position == "LATEST"
    error_message = "on an existing stream the Pipe starts at LATEST: TRIM_HORIZON would resend the stream's retention as live webhooks"
  }
  assert {
    condition     = aws_lambda_function.transform_filter.environment[0].variables.DATA_KEY_KMS_KEY_ARN == var.source_stream.data_key_kms_key_arn
    error_message = "the Lambda unwraps with the platform's key"
  }
}

run "starts_at_a_timestamp_only_when_told_so" {
  command = plan
  variables {
    create_test_source = false
    source_stream = {
      arn                  = "arn:aws:kinesis:eu-west-2:210987654321:stream/platform-conversation-events"
      kms_key_arn          = "arn:aws:kms:eu-west-2:210987654321:key/9a8b7c6d-0000-4000-8000-000000000001"
      data_key_kms_key_arn = "arn:aws:kms:eu-west-2:210987654321:key/9a8b7c6d-0000-4000-8000-000000000002"
    }
    pipe = { starting_position = "AT_TIMESTAMP", starting_position_timestamp = "2026-11-22T09:00:00Z" }
  }
  assert {
    condition     = aws_pipes_pipe.source.source_parameters[0].kinesis_stream_parameters[0].starting_position_timestamp == "2026-11-22T09:00:00Z"
    error_message = "an explicit AT_TIMESTAMP start is passed to the Pipe"
  }
}

run "rejects_a_timestamp_without_at_timestamp" {
  command = plan
  variables {
    pipe = { starting_position_timestamp = "2026-11-22T09:00:00Z" }
  }
  expect_failures = [var.pipe]
}

run "caps_put_events_entries_at_what_a_dlq_can_keep" {
  command = plan
  variables {
    lambda = { max_put_events_bytes = 1048576 }
  }
  expect_failures = [var.lambda]
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

run "sizes_the_lambda_caches_from_the_deployment" {
  command = plan
  variables {
    deployment_size = { trusts = 1000, endpoints = 3000 }
  }
  assert {
    # Every endpoint's signing secret fits (a warm batch makes no Secrets Manager call at 3,000 endpoints).
    condition     = tonumber(aws_lambda_function.transform_filter.environment[0].variables.SIGNING_SECRET_CACHE_SIZE) >= 3000 && tonumber(aws_lambda_function.transform_filter.environment[0].variables.DATA_KEY_CACHE_SIZE) >= 4000
    error_message = "the caches hold every signing secret and several data keys per trust"
  }
}

run "keeps_the_cache_sizes_when_a_trust_is_added" {
  command = plan
  variables {
    deployment_size = { trusts = 1001, endpoints = 3003 }
  }
  assert {
    condition     = aws_lambda_function.transform_filter.environment[0].variables.SIGNING_SECRET_CACHE_SIZE == "4000" && aws_lambda_function.transform_filter.environment[0].variables.DATA_KEY_CACHE_SIZE == "4500"
    error_message = "sizes are rounded up to a multiple of 500, so adding a trust rarely changes the function"
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

run "alarms_on_the_limits_that_throttle_silently" {
  command = apply

  assert {
    condition     = aws_cloudwatch_metric_alarm.metric["source_falling_behind"].metric_name == "GetRecords.IteratorAgeMilliseconds" && aws_cloudwatch_metric_alarm.metric["source_falling_behind"].dimensions.StreamName == "trust-callbacks-test-conversation-events" && aws_cloudwatch_metric_alarm.metric["source_falling_behind"].threshold == 300000
    error_message = "an alarm fires when the Pipe falls behind the stream"
  }
  assert {
    condition     = [for key in ["pipe_execution_failed", "pipe_execution_throttled"] : aws_cloudwatch_metric_alarm.metric[key].metric_name] == ["ExecutionFailed", "ExecutionThrottled"] && alltrue([for key in ["pipe_execution_failed", "pipe_execution_throttled"] : aws_cloudwatch_metric_alarm.metric[key].namespace == "AWS/EventBridge/Pipes" && aws_cloudwatch_metric_alarm.metric[key].alarm_name == "trust-callbacks-test-${aws_cloudwatch_metric_alarm.metric[key].metric_name == "ExecutionFailed" ? "pipe-ExecutionFailed" : "pipe-ExecutionThrottled"}"])
    error_message = "Pipe failures and throttling alarm"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.target_invocations_near_quota.threshold == 2250 * 60 * 0.8 && aws_cloudwatch_metric_alarm.metric["lambda_throttles"].metric_name == "Throttles"
    error_message = "target invocations alarm at 80% of the account quota; Lambda throttles alarm"
  }
}

# docs/guarantees.md 2.2 and 1.5: a delivery sent with a field it could not decrypt raises an alarm at once, and the
# Lambda's AWS calls are sized to the timeout Terraform gives it.
run "alarms_on_a_delivery_sent_without_content" {
  command = apply

  variables {
    lambda = { timeout_seconds = 120 }
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.metric["decrypt_failures"].namespace == "TrustCallbacks" &&
      aws_cloudwatch_metric_alarm.metric["decrypt_failures"].metric_name == "decryptFailures" &&
      aws_cloudwatch_metric_alarm.metric["decrypt_failures"].dimensions.Environment == "test" && aws_cloudwatch_metric_alarm.metric["decrypt_failures"].dimensions.service == "transform-filter" && length(aws_cloudwatch_metric_alarm.metric["decrypt_failures"].dimensions) == 2 &&
      aws_cloudwatch_metric_alarm.metric["decrypt_failures"].statistic == "Sum" &&
      aws_cloudwatch_metric_alarm.metric["decrypt_failures"].threshold == 0 &&
      aws_cloudwatch_metric_alarm.metric["decrypt_failures"].comparison_operator == "GreaterThanThreshold" &&
      aws_cloudwatch_metric_alarm.metric["decrypt_failures"].alarm_actions == toset([aws_sns_topic.alarms.arn])
    )
    error_message = "the first delivery sent with an undecryptable field (metric decryptFailures) alarms on the alarms topic"
  }
  assert {
    condition     = aws_lambda_function.transform_filter.environment[0].variables["LAMBDA_TIMEOUT_SECONDS"] == "120"
    error_message = "the Lambda sizes its AWS calls' timeouts to its own timeout"
  }
}

run "alarms_and_dashboard_watch_the_pipeline" {
  command = apply

  assert {
    # The metrics go to stdout through Powertools (not the logger) with dimensions service and Environment:
    # an alarm that names only Environment would never see a datapoint.
    condition     = aws_cloudwatch_metric_alarm.metric["quarantined"].namespace == "TrustCallbacks" && aws_cloudwatch_metric_alarm.metric["quarantined"].metric_name == "quarantined" && aws_cloudwatch_metric_alarm.metric["quarantined"].dimensions.Environment == "test" && aws_cloudwatch_metric_alarm.metric["quarantined"].dimensions.service == "transform-filter" && length(aws_cloudwatch_metric_alarm.metric["quarantined"].dimensions) == 2
    error_message = "the quarantine alarm names every dimension the Lambda's metrics carry"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.metric["pipe_dlq_not_empty"].dimensions.QueueName == aws_sqs_queue.pipe_dlq.name && aws_cloudwatch_metric_alarm.metric["lambda_errors"].dimensions.FunctionName == aws_lambda_function.transform_filter.function_name
    error_message = "the Pipe DLQ and the Lambda's errors have alarms"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.metric["pipe_execution_failed"].dimensions.PipeName == aws_pipes_pipe.source.name && aws_cloudwatch_metric_alarm.metric["source_falling_behind"].namespace == "AWS/Kinesis"
    error_message = "Pipe execution failures and the stream's iterator age are watched on this deployment's pipe and stream"
  }
  assert {
    condition = alltrue([
      for alarm in concat(
        [aws_cloudwatch_metric_alarm.target_invocations_near_quota],
        values(aws_cloudwatch_metric_alarm.metric), values(aws_cloudwatch_metric_alarm.rules),
      ) : alarm.alarm_actions == toset([aws_sns_topic.alarms.arn]) && alarm.treat_missing_data == "notBreaching"
    ])
    error_message = "every pipeline alarm notifies the alarms topic, and silence is not an alarm"
  }
  assert {
    condition     = one([for w in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets : w.properties.query if w.type == "log"]) == "SOURCE '/aws/lambda/trust-callbacks-test-transform-filter' | filter message = \"delivery published\" | stats count(*) as deliveries by trustId | sort deliveries desc | limit 50"
    error_message = "the dashboard counts deliveries per trust from the call history in the Lambda's log group"
  }
  assert {
    condition     = length([for w in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets : w if strcontains(jsonencode(try(w.properties.metrics, [])), "ApproximateAgeOfOldestMessage") && strcontains(jsonencode(try(w.properties.metrics, [])), "QueueName=\\\"trust-callbacks-test-\\\"")]) == 1
    error_message = "the dashboard shows the age of the oldest message of the deployment's DLQs"
  }
  assert {
    condition     = alltrue([for line in one([for w in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets : try(w.properties.metrics, []) if w.properties.title == "Records by outcome"]) : slice(line, 2, 6) == ["Environment", "test", "service", "transform-filter"]])
    error_message = "the records-by-outcome graph names the dimensions the Lambda's metrics carry"
  }
}

run "logs_each_bus_without_event_detail_to_an_encrypted_retained_group" {
  command = apply

  assert {
    condition     = aws_cloudwatch_log_group.bus.kms_key_id == aws_kms_key.main.arn && aws_cloudwatch_log_group.bus.retention_in_days == aws_cloudwatch_log_group.lambda.retention_in_days && startswith(aws_cloudwatch_log_group.bus.name, "/aws/vendedlogs/events/")
    error_message = "the buses' logs go to a log group encrypted and retained like the others"
  }
  assert {
    condition     = one(aws_cloudwatch_log_delivery_destination.bus).delivery_destination_configuration[0].destination_resource_arn == aws_cloudwatch_log_group.bus.arn
    error_message = "the one delivery destination is the buses' log group"
  }
  # Promise 8.5: the deliveries are made one bus part at a time (modules/bus-logs), from what this part hands on.
  assert {
    condition     = output.bus_logs == { level = "INFO", delivery_destination_arn = one(aws_cloudwatch_log_delivery_destination.bus).arn, event_bus_arns = aws_cloudwatch_event_bus.callbacks[*].arn }
    error_message = "the pipeline part hands the level, the destination and every bus to the bus parts"
  }
  # Promise 8.7: the printed command sets the level and names the bus's key and DLQ again, so it cannot move the bus
  # to an AWS owned key or drop its DLQ.
  assert {
    condition = jsonencode(output.event_bus_log_config_commands) == jsonencode([
      for index, name in local.event_bus_names :
      "aws events update-event-bus --region eu-west-2 --name ${name} --kms-key-identifier ${aws_kms_key.main.arn} --dead-letter-config Arn=${aws_sqs_queue.bus_dlq.arn} --log-config Level=INFO,IncludeDetail=NONE"
    ]) && length(terraform_data.bus_log_config) == 0
    error_message = "without the AWS CLI at apply, the module names the full UpdateEventBus command for each bus: its key, its DLQ, the level, never event detail"
  }
}

run "sets_the_level_with_the_full_update_when_asked" {
  command = plan # apply would run the AWS CLI
  variables {
    event_bus_logs = { level = "TRACE", set_level_with_aws_cli = true }
  }

  assert {
    condition = jsonencode([for run in terraform_data.bus_log_config : run.input]) == jsonencode([
      for index, name in local.event_bus_names :
      "aws events update-event-bus --region eu-west-2 --name ${name} --kms-key-identifier ${aws_kms_key.main.arn} --dead-letter-config Arn=${aws_sqs_queue.bus_dlq.arn} --log-config Level=TRACE,IncludeDetail=NONE"
    ]) && length(output.event_bus_log_config_commands) == 0
    error_message = "the level set at apply is the same full UpdateEventBus request, one per bus"
  }
}

run "bus_logs_off_creates_no_delivery" {
  command = plan
  variables {
    event_bus_logs = { level = "OFF" }
  }

  assert {
    condition     = length(aws_cloudwatch_log_delivery_destination.bus) == 0 && output.bus_logs == null
    error_message = "level OFF delivers nothing"
  }
}

run "rejects_an_unknown_bus_log_level" {
  command = plan
  variables {
    event_bus_logs = { level = "DEBUG" }
  }
  expect_failures = [var.event_bus_logs]
}

run "conversation_bindings_table" {
  command = apply

  assert {
    condition     = aws_dynamodb_table.bindings.name == "trust-callbacks-test-bindings" && aws_dynamodb_table.bindings.billing_mode == "PAY_PER_REQUEST" && aws_dynamodb_table.bindings.hash_key == "conversation"
    error_message = "one on-demand table keyed by conversation"
  }
  assert {
    condition     = one(aws_dynamodb_table.bindings.ttl).attribute_name == "expiresAt" && one(aws_dynamodb_table.bindings.ttl).enabled
    error_message = "TTL on expiresAt (epoch seconds), the attribute the Lambda writes"
  }
  assert {
    condition     = one(aws_dynamodb_table.bindings.point_in_time_recovery).enabled
    error_message = "point-in-time recovery is on"
  }
  assert {
    condition     = one(aws_dynamodb_table.bindings.server_side_encryption).enabled && one(aws_dynamodb_table.bindings.server_side_encryption).kms_key_arn == aws_kms_key.main.arn
    error_message = "the table is encrypted with the environment's key"
  }
  assert {
    condition     = aws_lambda_function.transform_filter.environment[0].variables.BINDINGS_TABLE == aws_dynamodb_table.bindings.name && aws_lambda_function.transform_filter.environment[0].variables.BINDING_TTL_DAYS == "30"
    error_message = "the Lambda knows the table and the binding lifetime (30 days by default)"
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.lambda.policy).Statement : s if s.Sid == "ConversationBindings"]).Resource == [aws_dynamodb_table.bindings.arn]
    error_message = "the Lambda's item operations are on this table only"
  }
}

run "binding_lifetime_is_configurable_per_environment" {
  command = plan
  variables {
    lambda = { binding_ttl_days = 14 }
  }
  assert {
    condition     = aws_lambda_function.transform_filter.environment[0].variables.BINDING_TTL_DAYS == "14"
    error_message = "lambda.binding_ttl_days reaches the Lambda"
  }
}

run "binding_lifetime_must_be_shorter_than_document_version_retention" {
  command = plan
  variables {
    lambda                         = { binding_ttl_days = 60 }
    config_noncurrent_version_days = 45
  }
  expect_failures = [var.lambda]
}

run "binding_lifetime_must_be_whole_days_within_a_year" {
  command = plan
  variables {
    lambda = { binding_ttl_days = 0 }
  }
  expect_failures = [var.lambda]
}

# Promise 8.4: a new account keeps at least 100 unreserved executions (PutFunctionConcurrency refuses otherwise), so
# the transform function reserves no concurrency unless the environment asks for it (connection-sync's half of these
# runs is in modules/connection-sync/tests/connection_sync.tftest.hcl).
run "reserves_no_concurrency_unless_the_environment_asks" {
  command = plan

  variables {
    lambda = {}
  }

  assert {
    condition     = coalesce(aws_lambda_function.transform_filter.reserved_concurrent_executions, -1) == -1
    error_message = "transform-filter must not reserve concurrency by default"
  }
}

run "reserves_concurrency_where_the_environment_asks" {
  command = plan

  variables {
    lambda = { reserved_concurrency = 50 }
  }

  assert {
    condition     = aws_lambda_function.transform_filter.reserved_concurrent_executions == 50
    error_message = "an environment's reserved concurrency reaches the function"
  }
}

run "rejects_a_reservation_of_zero" {
  command = plan

  variables {
    lambda = { reserved_concurrency = 0 }
  }

  expect_failures = [var.lambda]
}
