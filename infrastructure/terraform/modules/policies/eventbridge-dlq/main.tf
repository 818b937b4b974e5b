# The access rules of a dead-letter queue EventBridge writes to (a trust's DLQ, the buses' DLQ), as a document only
# (no resources), so the policy tests render and evaluate it offline (scripts/terraform/policies.test.ts).
output "queue_policy" {
  description = "Queue policy: EventBridge may send dead letters from the given rules or buses only; TLS only."
  value = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        # EventBridge User Guide, "Using dead-letter queues to process undelivered events": the queue policy lets
        # events.amazonaws.com send, conditioned on the sender's ARN (the rule's; for a bus DLQ, the bus's).
        Sid       = "EventBridgeSendersOfThisQueue"
        Effect    = "Allow"
        Principal = { Service = "events.amazonaws.com" }
        Action    = "sqs:SendMessage"
        Resource  = var.queue_arn
        # aws:SourceAccount too (docs/guarantees.md 5.4): the queue's own account, read from its ARN. IfExists: the
        # sender ARNs already name the account, and the DLQ page's example does not show the key.
        Condition = {
          ArnEquals            = { "aws:SourceArn" = var.sender_arns }
          StringEqualsIfExists = { "aws:SourceAccount" = split(":", var.queue_arn)[4] }
        }
      },
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = { AWS = "*" }
        Action    = "sqs:*"
        Resource  = var.queue_arn
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
    ]
  })
}
