# Realistic defaults for what the mocked AWS provider computes, so ARN-typed arguments validate and
# assertions can read them. Shared by every `terraform test` suite (mock_provider "aws" { source = ... }).

mock_data "aws_caller_identity" {
  defaults = { account_id = "123456789012", arn = "arn:aws:iam::123456789012:user/ci", user_id = "AIDAEXAMPLE" }
}

mock_data "aws_partition" {
  defaults = { partition = "aws", dns_suffix = "amazonaws.com" }
}

mock_data "aws_region" {
  defaults = { name = "eu-west-2", description = "Europe (London)" }
}

mock_data "aws_secretsmanager_secret" {
  defaults = { arn = "arn:aws:secretsmanager:eu-west-2:123456789012:secret:trust-callbacks/signing-AbCdEf" }
}

mock_resource "aws_kms_key" {
  defaults = { arn = "arn:aws:kms:eu-west-2:123456789012:key/0b6c2a52-4e1f-4c3b-9a7e-5d8f1e2a3b4c", key_id = "0b6c2a52-4e1f-4c3b-9a7e-5d8f1e2a3b4c" }
}

mock_resource "aws_kinesis_stream" {
  defaults = { arn = "arn:aws:kinesis:eu-west-2:123456789012:stream/trust-callbacks-test-conversation-events" }
}

mock_resource "aws_s3_bucket" {
  defaults = { arn = "arn:aws:s3:::trust-callbacks-test-bucket-123456789012" }
}

mock_resource "aws_sqs_queue" {
  defaults = {
    arn = "arn:aws:sqs:eu-west-2:123456789012:trust-callbacks-test-queue"
    url = "https://sqs.eu-west-2.amazonaws.com/123456789012/trust-callbacks-test-queue"
    id  = "https://sqs.eu-west-2.amazonaws.com/123456789012/trust-callbacks-test-queue"
  }
}

mock_resource "aws_sns_topic" {
  defaults = { arn = "arn:aws:sns:eu-west-2:123456789012:trust-callbacks-test-alarms" }
}

mock_resource "aws_cloudwatch_log_group" {
  defaults = { arn = "arn:aws:logs:eu-west-2:123456789012:log-group:/aws/trust-callbacks-test" }
}

mock_resource "aws_iam_role" {
  defaults = { arn = "arn:aws:iam::123456789012:role/trust-callbacks-test-role" }
}

mock_resource "aws_lambda_function" {
  defaults = {
    arn        = "arn:aws:lambda:eu-west-2:123456789012:function:trust-callbacks-test-transform-filter"
    invoke_arn = "arn:aws:apigateway:eu-west-2:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-2:123456789012:function:trust-callbacks-test-transform-filter/invocations"
  }
}

mock_resource "aws_cloudwatch_event_bus" {
  defaults = { arn = "arn:aws:events:eu-west-2:123456789012:event-bus/trust-callbacks-test-callbacks" }
}

mock_resource "aws_cloudwatch_event_rule" {
  defaults = { arn = "arn:aws:events:eu-west-2:123456789012:rule/trust-callbacks-test-callbacks/trust-callbacks-test-RX1-ep" }
}

mock_resource "aws_cloudwatch_event_connection" {
  defaults = {
    arn        = "arn:aws:events:eu-west-2:123456789012:connection/trust-callbacks-test-RX1-ep/7f3c8f1e-1111-2222-3333-444455556666"
    secret_arn = "arn:aws:secretsmanager:eu-west-2:123456789012:secret:events!connection/trust-callbacks-test-RX1-ep/abc-AbCdEf"
  }
}

mock_resource "aws_cloudwatch_event_api_destination" {
  defaults = { arn = "arn:aws:events:eu-west-2:123456789012:api-destination/trust-callbacks-test-RX1-ep/7f3c8f1e-1111-2222-3333-444455556666" }
}

mock_resource "aws_lambda_invocation" {
  defaults = { result = "{\"action\":\"sync\",\"trigger\":\"direct\",\"counts\":{\"updated\":1,\"unchanged\":0,\"skipped\":0,\"failed\":0}}" }
}

mock_resource "aws_pipes_pipe" {
  defaults = { arn = "arn:aws:pipes:eu-west-2:123456789012:pipe/trust-callbacks-test-source" }
}

mock_resource "aws_dynamodb_table" {
  defaults = { arn = "arn:aws:dynamodb:eu-west-2:123456789012:table/trust-callbacks-test-bindings" }
}
