# This root only passes settings and its trusts/ directory; everything is built by the environment module.
module "environment" {
  source = "../../modules/environment"

  environment               = var.environment
  trusts_dir                = "${path.module}/trusts"
  lambda_zip_path           = coalesce(var.lambda_zip_path, "${path.module}/../../../../.build/lambdas/transform-filter.zip")
  source_stream_arn         = var.source_stream_arn
  source_stream_kms_key_arn = var.source_stream_kms_key_arn
  data_key_kms_key_arn      = var.data_key_kms_key_arn
  secrets_kms_key_arns      = var.secrets_kms_key_arns
  pipe                      = var.pipe
  lambda                    = var.lambda
  log_retention_days        = var.log_retention_days
}
