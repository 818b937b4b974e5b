# Conversation bindings: each conversation's trust document version, written by the Lambda on conversation.created
# and read for the conversation's later events (lambdas/transform-filter/src/adapters/dynamodb-bindings.ts).
# Item: `conversation` (S, "<trust>#<conversation>", the only key), the document's S3 version id and SHA-256,
# `createdAt` and `expiresAt` (N, epoch seconds, the TTL attribute). No index: the Lambda reads by key only.
resource "aws_dynamodb_table" "bindings" {
  name         = "${local.name}-bindings"
  billing_mode = "PAY_PER_REQUEST" # on demand: traffic follows the platform's, with no capacity to plan
  hash_key     = "conversation"

  attribute {
    name = "conversation"
    type = "S"
  }

  # DynamoDB deletes expired items in the background, typically within a few days of expiry, and reads return them
  # until then (Amazon DynamoDB Developer Guide, "Working with expired items and time to live (TTL)",
  # https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ttl-expired-items.html): TTL only bounds the
  # table's size; the Lambda compares expiresAt with its own clock.
  ttl {
    attribute_name = "expiresAt"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = true
  }

  # The environment's data-at-rest key. DynamoDB uses it on behalf of the principal that creates the table (grants)
  # and of each principal that reads or writes (kms:Decrypt of the table key): KMS Developer Guide, "How Amazon
  # DynamoDB uses AWS KMS" (https://docs.aws.amazon.com/kms/latest/developerguide/services-dynamodb.html). The key
  # policy's account-root statement delegates to IAM; the Lambda's grant is in modules/policies/pipeline.
  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.main.arn
  }

  tags = { Purpose = "conversation-bindings" }
}
