environment    = "staging"
aws_account_id = "222222222222" # replace with the staging account
owner          = "clinical-messaging-platform"
# source_stream_arn, source_stream_kms_key_arn and data_key_kms_key_arn: the platform's staging values.
pipe   = { batch_size = 100, maximum_batching_window_in_seconds = 1, maximum_retry_attempts = 20 }
lambda = { reserved_concurrency = 10 }
