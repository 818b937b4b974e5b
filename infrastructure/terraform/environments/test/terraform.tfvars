environment    = "test"
aws_account_id = "111111111111" # replace with the test account
owner          = "clinical-messaging-platform"
# The test account has no platform stream or key: both are created here.
pipe               = { batch_size = 100, maximum_batching_window_in_seconds = 1, maximum_retry_attempts = 10 }
lambda             = { log_level = "debug", reserved_concurrency = 5 }
log_retention_days = 30
