environment    = "test"
aws_account_id = "111111111111" # replace with the test account
owner          = "clinical-messaging-platform"
# Secret names (README, "Roles and secret names"): the Lambda reads only signing keys, connection-sync only credentials.
signing_secret_prefix     = "trust-callbacks/test/signing/"
credentials_secret_prefix = "trust-callbacks/test/credentials/"
# The test account has no platform: a private stream and data-key key are created here (nothing old to resend,
# so the Pipe starts at TRIM_HORIZON). Staging and prod name the platform's instead.
create_test_source = true
pipe               = { batch_size = 100, maximum_batching_window_in_seconds = 1, maximum_retry_attempts = 10 }
# No reserved concurrency: a new account keeps too few unreserved executions for one (README, `lambda`).
lambda             = { log_level = "debug" }
log_retention_days = 30
