# Records the Lambda keeps failing after the Pipe's bounded retries (the Pipe writes their metadata here).
resource "aws_sqs_queue" "pipe_dlq" {
  name                      = "${local.name}-pipe-dlq"
  message_retention_seconds = 1209600
  kms_master_key_id         = aws_kms_key.main.arn
}

# Events the callbacks buses could not encrypt, decrypt or hand to a rule's target.
resource "aws_sqs_queue" "bus_dlq" {
  name                      = "${local.name}-bus-dlq"
  message_retention_seconds = 1209600
  kms_master_key_id         = aws_kms_key.dead_letters.arn
}

resource "aws_sqs_queue_policy" "bus_dlq" {
  queue_url = aws_sqs_queue.bus_dlq.id
  policy    = module.policies.bus_dlq_policy
}
