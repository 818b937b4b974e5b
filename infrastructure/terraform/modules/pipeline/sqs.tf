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

# Events the encrypted buses cannot encrypt, decrypt or deliver to a target (EventBridge User Guide,
# "Encrypting events with customer managed keys": a DLQ on the bus is strongly recommended).
module "bus_dlq_policy" {
  source      = "../policies/eventbridge-dlq"
  queue_arn   = aws_sqs_queue.bus_dlq.arn
  sender_arns = aws_cloudwatch_event_bus.callbacks[*].arn
}

resource "aws_sqs_queue_policy" "bus_dlq" {
  queue_url = aws_sqs_queue.bus_dlq.id
  policy    = module.bus_dlq_policy.queue_policy
}
