# The bootstrap of each account, planned with a mocked AWS provider: what it creates is named from the environment's
# own data (account.json, backend.hcl), so the state backend and the workflows find what it makes.
# Its policies are evaluated, not just planned: scripts/terraform/bootstrap-policies.test.ts.

mock_provider "aws" {
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:eu-west-2:111111111111:key/0b6c2a52-4e1f-4c3b-9a7e-5d8f1e2a3b4c", key_id = "0b6c2a52-4e1f-4c3b-9a7e-5d8f1e2a3b4c" }
  }
  mock_resource "aws_iam_policy" {
    defaults = { arn = "arn:aws:iam::111111111111:policy/trust-callbacks-github" }
  }
  mock_resource "aws_iam_openid_connect_provider" {
    defaults = { arn = "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com" }
  }
}

run "test_account" {
  command = plan
  variables {
    environment = "test"
  }

  assert {
    condition     = aws_s3_bucket.state.bucket == "trust-callbacks-tfstate-111111111111"
    error_message = "the state bucket must be backend.hcl's"
  }
  assert {
    condition     = aws_kms_alias.state.name == "alias/trust-callbacks-tfstate"
    error_message = "the state key's alias must be backend.hcl's kms_key_id"
  }
  assert {
    condition     = aws_s3_bucket_versioning.state.versioning_configuration[0].status == "Enabled"
    error_message = "state versions must be kept"
  }
  assert {
    condition     = alltrue([aws_s3_bucket_public_access_block.state.block_public_acls, aws_s3_bucket_public_access_block.state.block_public_policy, aws_s3_bucket_public_access_block.state.ignore_public_acls, aws_s3_bucket_public_access_block.state.restrict_public_buckets])
    error_message = "public access to the state bucket must be blocked"
  }
  assert {
    condition     = one([for rule in aws_s3_bucket_server_side_encryption_configuration.state.rule : one(rule.apply_server_side_encryption_by_default).sse_algorithm]) == "aws:kms"
    error_message = "state must be encrypted with the customer-managed key"
  }
  assert {
    condition     = aws_iam_role.plan.name == "trust-callbacks-test-github-plan" && aws_iam_role.deploy.name == "trust-callbacks-test-github-deploy"
    error_message = "the roles must be named as account.json's ARNs say"
  }
  assert {
    condition     = jsondecode(aws_iam_role.deploy.assume_role_policy).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"] == "repo:nhs-clinical-messaging/trust-callbacks:environment:test"
    error_message = "the deploy role must trust only the test environment's subject"
  }
  assert {
    condition     = aws_iam_role.deploy.max_session_duration >= 7200
    error_message = "a deploy session must outlast the apply job's timeout (120 minutes)"
  }
  assert {
    condition     = length(aws_iam_openid_connect_provider.github) == 1 && aws_iam_openid_connect_provider.github[0].client_id_list == toset(["sts.amazonaws.com"])
    error_message = "the GitHub OIDC provider's audience must be sts.amazonaws.com"
  }
  assert {
    condition     = aws_iam_role_policy_attachment.plan_read.role == "trust-callbacks-test-github-plan" && toset(keys(aws_iam_role_policy_attachment.deploy)) == toset(["read_policy", "deploy_state_policy", "deploy_events_compute_policy", "deploy_data_policy"])
    error_message = "the plan role gets the read policy only; the deploy role the read, state and two stack policies"
  }
}

run "production_account" {
  command = plan
  variables {
    environment          = "prod"
    create_oidc_provider = false
  }

  assert {
    condition     = aws_s3_bucket.state.bucket == "trust-callbacks-tfstate-333333333333"
    error_message = "the state bucket must be prod's backend.hcl's"
  }
  assert {
    condition     = jsondecode(aws_iam_role.deploy.assume_role_policy).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"] == "repo:nhs-clinical-messaging/trust-callbacks:environment:production"
    error_message = "prod's deploy role must trust only the production environment's subject"
  }
  assert {
    condition     = length(aws_iam_openid_connect_provider.github) == 0
    error_message = "an account that has the provider keeps it"
  }
}

run "unknown_environment" {
  command = plan
  variables {
    environment = "nowhere"
  }
  expect_failures = [var.environment]
}
