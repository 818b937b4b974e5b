# Created here only when the platform's stream is not given.
resource "aws_kinesis_stream" "source" {
  count            = var.source_stream_arn == null ? 1 : 0
  name             = "${local.name}-conversation-events"
  shard_count      = var.source_stream_shard_count
  retention_period = 168
  encryption_type  = "KMS"
  kms_key_id       = aws_kms_key.main.arn
  stream_mode_details {
    stream_mode = "PROVISIONED"
  }
}
