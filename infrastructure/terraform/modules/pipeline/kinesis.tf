# Test accounts only (create_test_source): a private stream. Staging and prod read the platform's.
resource "aws_kinesis_stream" "source" {
  count            = var.create_test_source ? 1 : 0
  name             = "${local.name}-conversation-events"
  shard_count      = var.source_stream_shard_count
  retention_period = 168
  encryption_type  = "KMS"
  kms_key_id       = aws_kms_key.main.arn
  stream_mode_details {
    stream_mode = "PROVISIONED"
  }
}
