environment    = "prod"
aws_account_id = "333333333333" # replace with the production account
owner          = "clinical-messaging-platform"
# Secret names (README, "Roles and secret names"): the Lambda reads only signing keys, connection-sync only credentials.
signing_secret_prefix     = "trust-callbacks/prod/signing/"
credentials_secret_prefix = "trust-callbacks/prod/credentials/"
# The platform's production stream and keys (replace with the values the platform team gives you; the plan
# refuses to run without them). The Pipe starts at LATEST: only events written after the first apply are delivered.
source_stream = {
  arn                  = "arn:aws:kinesis:eu-west-2:333333333333:stream/clinical-messaging-conversation-events"
  kms_key_arn          = "arn:aws:kms:eu-west-2:333333333333:key/00000000-0000-4000-8000-000000000001"
  data_key_kms_key_arn = "arn:aws:kms:eu-west-2:333333333333:key/00000000-0000-4000-8000-000000000002"
}
pipe = { batch_size = 100, maximum_batching_window_in_seconds = 1, maximum_retry_attempts = 50, parallelization_factor = 2 }
# 1,000 trusts x 1-3 endpoints is about 2,000-3,000 rules: 12 buses keep each under the default 300 rules.
event_buses        = { count = 12 }
lambda             = { memory_mb = 1024, reserved_concurrency = 50 }
log_retention_days = 365
