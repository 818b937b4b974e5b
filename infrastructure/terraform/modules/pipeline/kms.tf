# Key policies are rendered by modules/policies/pipeline, where the policy tests evaluate them.

# Encrypts at rest: stream (test), buckets, the Pipe's DLQ, log groups, the buses and the alarm topic.
resource "aws_kms_key" "main" {
  description         = "${local.name}: data at rest"
  enable_key_rotation = true
  policy              = module.policies.main_key_policy
}

resource "aws_kms_alias" "main" {
  name          = "alias/${local.name}"
  target_key_id = aws_kms_key.main.key_id
}

# Encrypts the dead-letter queues EventBridge writes to, and nothing else (see modules/policies/pipeline).
resource "aws_kms_key" "dead_letters" {
  description         = "${local.name}: EventBridge dead letters (trust DLQs, bus DLQ)"
  enable_key_rotation = true
  policy              = module.policies.dead_letters_key_policy
}

resource "aws_kms_alias" "dead_letters" {
  name          = "alias/${local.name}-dead-letters"
  target_key_id = aws_kms_key.dead_letters.key_id
}

# EventBridge stores each connection's credentials in its own secret, encrypted with this key; EventBridge uses
# only keys tagged so (EventBridge User Guide, "Encrypting EventBridge connection authorization with AWS KMS keys").
resource "aws_kms_key" "connections" {
  description         = "${local.name}: API destination connection secrets"
  enable_key_rotation = true
  policy              = module.policies.connections_key_policy
  tags                = { EventBridgeApiDestinations = "true" }
}

resource "aws_kms_alias" "connections" {
  name          = "alias/${local.name}-connections"
  target_key_id = aws_kms_key.connections.key_id
}

# Test accounts only (create_test_source): wraps field data keys; elsewhere the platform's key does.
resource "aws_kms_key" "data_keys" {
  count               = var.create_test_source ? 1 : 0
  description         = "${local.name}: wraps conversation field data keys (test)"
  enable_key_rotation = true
  policy              = module.policies.data_keys_key_policy
}
