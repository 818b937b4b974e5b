resource "aws_cloudwatch_event_bus" "callbacks" {
  name               = "${local.name}-callbacks"
  kms_key_identifier = aws_kms_key.main.arn
}
