locals {
  # How long past its TTL the Lambda still serves an index shard it cannot revalidate (docs/guarantees.md 1.6).
  subscription_index_max_stale_seconds = 300

  lambda_name = "${local.name}-transform-filter"

  # What every function that signs and publishes reads alike (the transform Lambda, the support signer, the hold
  # drain: one core, `lookupAdapters`): one map, so none of them drifts from the others (a bus move's wait counts on
  # SUBSCRIPTION_INDEX_MAX_STALE_SECONDS being the same everywhere). Each function adds its own timeout and extras.
  signing_function_environment = merge(local.hold_environment, {
    ENVIRONMENT              = var.environment
    EVENT_BUS_NAME           = aws_cloudwatch_event_bus.callbacks[0].name
    BUS_SOURCE               = var.bus_source
    SUBSCRIPTIONS_BUCKET     = aws_s3_bucket.this["config"].bucket
    SUBSCRIPTIONS_PREFIX     = local.subscriptions_prefix
    SUBSCRIPTION_INDEX_KEYS  = join(",", local.subscription_index_keys)
    DATA_KEY_KMS_KEY_ARN     = local.data_key_kms_key_arn
    MAX_PUT_EVENTS_BYTES     = tostring(var.lambda.max_put_events_bytes)
    SUBSCRIPTION_TTL_SECONDS = tostring(var.lambda.subscription_ttl_seconds)
    # Set here, not left to the functions' default, so a bus move waits for the value in use (output index_timing).
    SUBSCRIPTION_INDEX_MAX_STALE_SECONDS = tostring(local.subscription_index_max_stale_seconds)
    SIGNING_SECRET_CACHE_SIZE            = tostring(local.signing_secret_cache_size)
    DATA_KEY_CACHE_SIZE                  = tostring(local.data_key_cache_size)
    LOG_LEVEL                            = var.lambda.log_level
  })
}

resource "aws_cloudwatch_log_group" "lambda" {
  name              = "/aws/lambda/${local.lambda_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.main.arn
}

resource "aws_iam_role" "lambda" {
  name               = local.lambda_name
  assume_role_policy = module.policies.lambda_trust_policy
}

# Least privilege, rendered and evaluated in modules/policies/pipeline.
resource "aws_iam_role_policy" "lambda" {
  name   = "transform-filter"
  role   = aws_iam_role.lambda.name
  policy = module.policies.lambda_role_policy
}

locals {
  # A batch allocates a few MB and Node's default semi-space under 2 GiB is below 16 MB, so scavenges
  # would land in a third of batches; scripts/bench measures with the value used at 1024 MB.
  v8_semi_space_mb = coalesce(var.lambda.v8_semi_space_mb, min(64, floor(var.lambda.memory_mb / 16)))
  # Every endpoint's signing secret, and a few data keys per trust (the platform rotates them), stay cached.
  # Rounded up to a multiple of 500 with room to grow, so adding a trust rarely changes the function.
  signing_secret_cache_size = max(500, ceil(var.deployment_size.endpoints * 1.25 / 500) * 500)
  data_key_cache_size       = max(1000, ceil(var.deployment_size.trusts * 4 / 500) * 500)
}

resource "aws_lambda_function" "transform_filter" {
  function_name                  = local.lambda_name
  description                    = "Kinesis conversation events to signed CloudEvents per trust endpoint"
  role                           = aws_iam_role.lambda.arn
  filename                       = var.lambda_zip_path
  source_code_hash               = filebase64sha256(var.lambda_zip_path)
  handler                        = "index.handler"
  runtime                        = "nodejs22.x"
  architectures                  = ["arm64"]
  memory_size                    = var.lambda.memory_mb
  timeout                        = var.lambda.timeout_seconds
  reserved_concurrent_executions = var.lambda.reserved_concurrency
  kms_key_arn                    = aws_kms_key.main.arn

  environment {
    # local.signing_function_environment, with local.hold_environment (holds.tf): the holds table and the hold
    # stores' URL base (issue #25).
    variables = merge(local.signing_function_environment, {
      QUARANTINE_BUCKET      = aws_s3_bucket.this["quarantine"].bucket
      QUARANTINE_PREFIX      = local.quarantine_prefix
      BINDINGS_TABLE         = aws_dynamodb_table.bindings.name
      BINDING_TTL_DAYS       = tostring(var.lambda.binding_ttl_days)
      LAMBDA_TIMEOUT_SECONDS = tostring(var.lambda.timeout_seconds) # sizes every AWS call's timeouts (guarantees 1.5)
      NODE_OPTIONS           = "--enable-source-maps --max-semi-space-size=${local.v8_semi_space_mb}"
    })
  }

  tracing_config {
    mode = "Active"
  }

  logging_config {
    log_format = "Text" # the function writes JSON lines itself (pino, EMF)
    log_group  = aws_cloudwatch_log_group.lambda.name
  }

  depends_on = [aws_iam_role_policy.lambda]
}
