environment    = "staging"
aws_account_id = "222222222222" # replace with the staging account
owner          = "clinical-messaging-platform"
# Secret names (README, "Roles and secret names"): the Lambda reads only signing keys, connection-sync only credentials.
signing_secret_prefix     = "trust-callbacks/staging/signing/"
credentials_secret_prefix = "trust-callbacks/staging/credentials/"
# The platform's staging stream and keys (replace with the values the platform team gives you; the plan refuses
# to run without them). The Pipe starts at LATEST: only events written after the first apply are delivered.
source_stream = {
  arn                  = "arn:aws:kinesis:eu-west-2:222222222222:stream/clinical-messaging-conversation-events"
  kms_key_arn          = "arn:aws:kms:eu-west-2:222222222222:key/00000000-0000-4000-8000-000000000001"
  data_key_kms_key_arn = "arn:aws:kms:eu-west-2:222222222222:key/00000000-0000-4000-8000-000000000002"
}
pipe = { batch_size = 100, maximum_batching_window_in_seconds = 1, maximum_retry_attempts = 20 }
# No reserved concurrency: a new account keeps too few unreserved executions for one (README, `lambda`).
