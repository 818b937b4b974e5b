# Records the Lambda keeps failing after the Pipe's bounded retries (the Pipe writes their metadata here).
resource "aws_sqs_queue" "pipe_dlq" {
  name                      = "${local.name}-pipe-dlq"
  message_retention_seconds = 1209600
  kms_master_key_id         = aws_kms_key.main.arn
}
