# The support signer (docs/guarantees.md 5.20): a second function from the transform-filter workspace
# (lambdas/transform-filter/src/support-handler.ts, bundled as .build/lambdas/support-signer.zip), which re-signs and
# publishes what support staff chose (redrive: CloudEvents of a DLQ; replay: records of the stream). It holds the
# signing permissions so that the support operator role never does: the operator may only invoke it
# (modules/policies/support). Its role's document lives in modules/policies/support-signer, evaluated by
# scripts/terraform/policies.test.ts.
locals {
  # One batch of at most 100 replayed records or 10 redriven events; the function sizes its AWS calls' timeouts to it.
  support_signer_timeout_seconds = 60
  support_signer_name            = "${local.name}-support-signer"
  # Built beside the transform function's zip by `npm run lambda-build` unless the caller names another.
  support_signer_zip_path = coalesce(var.support_signer_zip_path, "${dirname(var.lambda_zip_path)}/support-signer.zip")
}

resource "aws_cloudwatch_log_group" "support_signer" {
  name              = "/aws/lambda/${local.support_signer_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.main.arn
}

module "support_signer_policies" {
  source = "../policies/support-signer"

  name_prefix      = local.name
  partition        = local.partition
  region           = local.region
  account_id       = local.account_id
  data_key_key_arn = local.data_key_kms_key_arn
  log_group_arn    = aws_cloudwatch_log_group.support_signer.arn
  # Subscription documents, signing keys, the buses: one copy with the hold drain's.
  re_signing_statements = module.policies.re_signing_statements
  # A redrive or replay to a held endpoint is held (docs/guarantees.md 10.41): the transform Lambda's statements.
  hold_producer_statements = module.policies.hold_producer_statements
}

resource "aws_iam_role" "support_signer" {
  name               = local.support_signer_name
  assume_role_policy = module.support_signer_policies.trust_policy
}

resource "aws_iam_role_policy" "support_signer" {
  name   = "support-signer"
  role   = aws_iam_role.support_signer.name
  policy = module.support_signer_policies.role_policy
}

resource "aws_lambda_function" "support_signer" {
  function_name    = local.support_signer_name
  description      = "Re-signs and publishes the deliveries support staff redrive or replay (the operator role invokes it)"
  role             = aws_iam_role.support_signer.arn
  filename         = local.support_signer_zip_path
  source_code_hash = filebase64sha256(local.support_signer_zip_path)
  handler          = "index.handler"
  runtime          = "nodejs22.x"
  architectures    = ["arm64"]
  memory_size      = 512
  # A redrive request is one PutEvents call; a replay request at most 100 records: well within a minute, and the
  # CLI waits for the answer (RequestResponse).
  timeout = local.support_signer_timeout_seconds
  # No reserved concurrency, like the other functions (docs/guarantees.md 8.4).
  kms_key_arn = aws_kms_key.main.arn

  environment {
    variables = merge(local.signing_function_environment, {
      LAMBDA_TIMEOUT_SECONDS = tostring(local.support_signer_timeout_seconds) # guarantees 1.5
      NODE_OPTIONS           = "--enable-source-maps"
    })
  }

  logging_config {
    log_format = "Text" # the function writes JSON lines itself (pino)
    log_group  = aws_cloudwatch_log_group.support_signer.name
  }

  depends_on = [aws_iam_role_policy.support_signer]
}

output "support_signer_function_name" {
  description = "Name of the support signer function: the support CLI invokes it for redrive and replay (pass it through as the root's pipeline.support_signer_function_name)."
  value       = aws_lambda_function.support_signer.function_name
}

output "support_signer_function_arn" {
  description = "ARN of the support signer function: the only function the support operator may invoke (modules/support's support_signer_function_arn)."
  value       = aws_lambda_function.support_signer.arn
}

output "source_stream_kms_key_arn" {
  description = "ARN of the key that encrypts the source stream: the support operator reads the stream through Kinesis with it (modules/support's source_stream)."
  value       = local.source_stream_key_arn
}
