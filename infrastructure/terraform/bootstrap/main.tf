# One account's bootstrap, applied once per account by an administrator (README, "Bootstrap an account"): the state
# bucket and key named in environments/<env>/backend.hcl (versioned, SSE-KMS, public access blocked, S3 native
# locking by the backend's use_lockfile), the GitHub OIDC provider, and the two roles the workflows assume, named in
# environments/<env>/account.json. Every policy document is in ./policies (rendered and evaluated offline by
# scripts/terraform/bootstrap-policies.test.ts).

locals {
  account = jsondecode(file("${path.module}/../environments/${var.environment}/account.json"))
  backend = file("${path.module}/../environments/${var.environment}/backend.hcl")
  # The state's bucket, key and key alias as the environment's backend.hcl names them: one source for both.
  state_bucket     = regex("(?m)^\\s*bucket\\s*=\\s*\"([^\"]+)\"", local.backend)[0]
  state_key        = regex("(?m)^\\s*key\\s*=\\s*\"([^\"]+)\"", local.backend)[0]
  state_key_alias  = regex("(?m)^\\s*kms_key_id\\s*=\\s*\"(alias/[^\"]+)\"", local.backend)[0]
  plan_role_name   = element(split("/", local.account.planRoleArn), 1)
  deploy_role_name = element(split("/", local.account.deployRoleArn), 1)
}

provider "aws" {
  region              = local.account.region
  allowed_account_ids = [local.account.accountId]
  default_tags {
    tags = {
      # Not Project = trust-callbacks: the deploy role administers keys tagged so, and must not administer the state key.
      Project     = "trust-callbacks-bootstrap"
      Environment = var.environment
      ManagedBy   = "terraform"
    }
  }
}

module "policies" {
  source             = "./policies"
  account_id         = local.account.accountId
  region             = local.account.region
  environment        = var.environment
  github_repository  = local.account.githubRepository
  github_environment = local.account.githubEnvironment
  plan_role_name     = local.plan_role_name
  deploy_role_name   = local.deploy_role_name
  state_bucket       = local.state_bucket
  state_key          = local.state_key
  state_writers      = var.state_writers
}

resource "aws_kms_key" "state" {
  description             = "Terraform state of trust-callbacks ${var.environment}"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = module.policies.documents.state_key_policy
}

resource "aws_kms_alias" "state" {
  name          = local.state_key_alias
  target_key_id = aws_kms_key.state.key_id
}

resource "aws_s3_bucket" "state" {
  bucket = local.state_bucket
  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_s3_bucket_versioning" "state" {
  bucket = aws_s3_bucket.state.id
  versioning_configuration {
    status = "Enabled" # Terraform: "highly recommended ... to allow for state recovery" (Backend type: s3)
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "state" {
  bucket = aws_s3_bucket.state.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.state.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "state" {
  bucket                  = aws_s3_bucket.state.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "state" {
  bucket = aws_s3_bucket.state.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "state" {
  bucket = aws_s3_bucket.state.id
  rule {
    id     = "old-state-versions"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = 365
    }
  }
}

resource "aws_s3_bucket_policy" "state" {
  bucket = aws_s3_bucket.state.id
  policy = module.policies.documents.state_bucket_policy
}

# GitHub's issuer, audience sts.amazonaws.com (GitHub Docs, "Configuring OpenID Connect in Amazon Web Services").
# IAM secures the connection to GitHub's issuer with its own library of trusted root CAs, not a thumbprint (IAM API
# Reference, UpdateOpenIDConnectProviderThumbprint: "These OIDC IdPs include Auth0, GitHub, GitLab, Google ...":
# https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateOpenIDConnectProviderThumbprint.html); provider 5.100
# makes thumbprint_list optional.
resource "aws_iam_openid_connect_provider" "github" {
  count          = var.create_oidc_provider ? 1 : 0
  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
}

resource "aws_iam_role" "plan" {
  name                 = local.plan_role_name
  description          = "trust-callbacks ${var.environment}: terraform plan from GitHub Actions (pull requests, main); reads, never writes"
  assume_role_policy   = module.policies.documents.plan_trust_policy
  max_session_duration = 3600
  depends_on           = [aws_iam_openid_connect_provider.github]
}

resource "aws_iam_role" "deploy" {
  name                 = local.deploy_role_name
  description          = "trust-callbacks ${var.environment}: terraform apply of reviewed plans from the GitHub environment ${local.account.githubEnvironment}"
  assume_role_policy   = module.policies.documents.deploy_trust_policy
  max_session_duration = var.deploy_session_hours * 3600
  depends_on           = [aws_iam_openid_connect_provider.github]
}

# Managed policies (6,144 characters each) rather than inline ones (10,240 for all of a role's together).
resource "aws_iam_policy" "this" {
  for_each = toset(["read_policy", "deploy_state_policy", "deploy_events_compute_policy", "deploy_data_policy"])
  name     = "trust-callbacks-${var.environment}-github-${replace(trimsuffix(each.key, "_policy"), "_", "-")}"
  policy   = module.policies.documents[each.key]
}

resource "aws_iam_role_policy_attachment" "plan_read" {
  role       = aws_iam_role.plan.name
  policy_arn = aws_iam_policy.this["read_policy"].arn
}

resource "aws_iam_role_policy_attachment" "deploy" {
  for_each   = toset(["read_policy", "deploy_state_policy", "deploy_events_compute_policy", "deploy_data_policy"])
  role       = aws_iam_role.deploy.name
  policy_arn = aws_iam_policy.this[each.key].arn
}
