environment    = "prod"
aws_account_id = "333333333333" # replace with the production account
owner          = "clinical-messaging-platform"
# source_stream_arn, source_stream_kms_key_arn and data_key_kms_key_arn: the platform's production values.
pipe               = { batch_size = 100, maximum_batching_window_in_seconds = 1, maximum_retry_attempts = 50, parallelization_factor = 2 }
lambda             = { memory_mb = 1024, reserved_concurrency = 50 }
log_retention_days = 365
