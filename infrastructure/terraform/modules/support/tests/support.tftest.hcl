# modules/support: the audit log group and the support roles (docs/guarantees.md 5.6-5.8). Who may do what is
# evaluated in scripts/terraform/policies.test.ts (documents from modules/policies/support); these runs check that
# the resources carry those documents, that the audit group is encrypted and kept, and who the roles are for.
mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  name_prefix              = "trust-callbacks-test"
  kms_key_arn              = "arn:aws:kms:eu-west-2:123456789012:key/0b6c2a52-4e1f-4c3b-9a7e-5d8f1e2a3b4c"
  dead_letters_kms_key_arn = "arn:aws:kms:eu-west-2:123456789012:key/2d8e4c74-6a3b-4e5d-9c0a-7f0b3a4c5d6e"
  history_log_group_names  = ["/aws/lambda/trust-callbacks-test-transform-filter", "/aws/vendedlogs/events/trust-callbacks-test-callbacks"]
}

run "without_principals_only_the_audit_group_exists" {
  command = apply

  assert {
    condition     = aws_cloudwatch_log_group.audit.name == "/trust-callbacks-test/support-audit" && output.audit_log_group_name == "/trust-callbacks-test/support-audit"
    error_message = "the audit log group is /<prefix>/support-audit, a name the main key's CloudWatch Logs statement covers"
  }
  assert {
    condition     = aws_cloudwatch_log_group.audit.kms_key_id == var.kms_key_arn && aws_cloudwatch_log_group.audit.retention_in_days == 2557
    error_message = "the audit log group is encrypted with the deployment's key and keeps its records seven years by default"
  }
  assert {
    condition     = length(aws_iam_role.support) == 0 && output.role_arns == {}
    error_message = "no principal listed (the default): no support role"
  }
}

run "each_listed_principal_gets_its_role_with_mfa" {
  command = apply
  variables {
    support = {
      viewer_principal_arns    = ["arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-2/AWSReservedSSO_Support_0123456789abcdef"]
      operator_principal_arns  = ["arn:aws:iam::123456789012:role/support-operators"]
      audit_log_retention_days = 3653
    }
  }

  assert {
    condition     = toset(keys(aws_iam_role.support)) == toset(["viewer", "operator"]) && aws_iam_role.support["viewer"].name == "trust-callbacks-test-support-viewer" && aws_iam_role.support["operator"].name == "trust-callbacks-test-support-operator"
    error_message = "one viewer and one operator role, named after the deployment"
  }
  assert {
    condition = (
      tolist(jsondecode(aws_iam_role.support["viewer"].assume_role_policy).Statement[0].Principal.AWS) == var.support.viewer_principal_arns &&
      tolist(jsondecode(aws_iam_role.support["operator"].assume_role_policy).Statement[0].Principal.AWS) == var.support.operator_principal_arns &&
      alltrue([for role in aws_iam_role.support : jsondecode(role.assume_role_policy).Statement[0].Condition.Bool["aws:MultiFactorAuthPresent"] == "true"])
    )
    error_message = "each role trusts its own list of principals, with MFA only"
  }
  assert {
    condition     = aws_iam_role_policy.support["viewer"].policy == module.policies.viewer_role_policy && aws_iam_role_policy.support["operator"].policy == module.policies.operator_role_policy
    error_message = "each role carries the evaluated document of modules/policies/support"
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.support["viewer"].policy).Statement : s.Resource if s.Sid == "AppendToSupportAudit"]) == ["arn:aws:logs:eu-west-2:123456789012:log-group:/trust-callbacks-test/support-audit", "arn:aws:logs:eu-west-2:123456789012:log-group:/trust-callbacks-test/support-audit:log-stream:*"]
    error_message = "the roles append to this module's audit group and no other"
  }
  assert {
    condition     = aws_cloudwatch_log_group.audit.retention_in_days == 3653
    error_message = "the retention is configurable"
  }
}

run "refuses_an_account_root_or_wildcard_principal" {
  command = plan
  variables {
    support = { operator_principal_arns = ["arn:aws:iam::123456789012:root"] }
  }
  expect_failures = [var.support]
}

run "refuses_more_principals_than_a_trust_policy_holds" {
  command = plan
  variables {
    support = { viewer_principal_arns = [for index in range(11) : "arn:aws:iam::123456789012:role/support-${index}"] }
  }
  expect_failures = [var.support]
}

run "refuses_a_retention_cloudwatch_does_not_accept" {
  command = plan
  variables {
    support = { audit_log_retention_days = 2555 }
  }
  expect_failures = [var.support]
}

run "mfa_can_be_left_to_a_federated_identity_provider" {
  command = plan
  variables {
    support = {
      viewer_principal_arns = ["arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-2/AWSReservedSSO_Support_0123456789abcdef"]
      require_mfa           = false
    }
  }
  assert {
    condition     = !can(jsondecode(aws_iam_role.support["viewer"].assume_role_policy).Statement[0].Condition)
    error_message = "require_mfa = false drops the MFA condition (the identity provider enforces MFA at sign-in)"
  }
}

# docs/guarantees.md 5.20: the operator invokes exactly the support signer the caller names, and reads the stream.
run "the_operator_invokes_the_support_signer_it_is_given_and_the_viewer_none" {
  command = apply
  variables {
    support = {
      viewer_principal_arns   = ["arn:aws:iam::123456789012:role/support-viewers"]
      operator_principal_arns = ["arn:aws:iam::123456789012:role/support-operators"]
    }
    support_signer_function_arn = "arn:aws:lambda:eu-west-2:123456789012:function:trust-callbacks-test-support-signer"
    source_stream = {
      arn         = "arn:aws:kinesis:eu-west-2:123456789012:stream/conversation-events"
      kms_key_arn = "arn:aws:kms:eu-west-2:123456789012:key/3e9f5d85-7b4c-4f6e-8d1b-8a1c4b5d6e7f"
    }
  }

  assert {
    condition     = [for s in jsondecode(aws_iam_role_policy.support["operator"].policy).Statement : s.Resource if s.Sid == "InvokeSupportSigner"] == [["arn:aws:lambda:eu-west-2:123456789012:function:trust-callbacks-test-support-signer"]]
    error_message = "the operator may invoke the support signer, that function only"
  }
  assert {
    condition     = [for s in jsondecode(aws_iam_role_policy.support["operator"].policy).Statement : s.Resource if s.Sid == "ReadSourceStream"] == [["arn:aws:kinesis:eu-west-2:123456789012:stream/conversation-events"]]
    error_message = "the operator reads the source stream it is given"
  }
  assert {
    condition     = length([for s in jsondecode(aws_iam_role_policy.support["viewer"].policy).Statement : s if contains(flatten([s.Action]), "lambda:InvokeFunction") || contains(flatten([s.Action]), "kinesis:GetRecords")]) == 0
    error_message = "the viewer may neither invoke the signer nor read the stream"
  }
}

run "refuses_a_support_signer_that_is_not_a_function_arn" {
  command = plan
  variables {
    support_signer_function_arn = "trust-callbacks-test-support-signer"
  }
  expect_failures = [var.support_signer_function_arn]
}

# docs/guarantees.md 10.45 (issue #25): with the holds and notices tables, the viewer reads hold states and the operator
# writes hold states and notices, each through the data-at-rest key for those tables only; neither touches a held
# delivery nor publishes (evaluated in scripts/terraform/policies.test.ts).
run "grants_hold_states_when_given_the_table" {
  command = apply
  variables {
    support = {
      viewer_principal_arns   = ["arn:aws:iam::123456789012:role/support-viewers"]
      operator_principal_arns = ["arn:aws:iam::123456789012:role/support-operators"]
    }
    holds = {
      table_arn = "arn:aws:dynamodb:eu-west-2:123456789012:table/trust-callbacks-test-holds"
    }
  }

  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.support["viewer"].policy).Statement : s.Resource if s.Sid == "ReadHoldStates"]) == [var.holds.table_arn]
    error_message = "the viewer reads the holds table"
  }
  assert {
    condition = (
      one([for s in jsondecode(aws_iam_role_policy.support["operator"].policy).Statement : s.Resource if s.Sid == "WriteHoldStates"]) == [var.holds.table_arn] &&
      length([for s in jsondecode(aws_iam_role_policy.support["operator"].policy).Statement : s if s.Effect == "Allow" && strcontains(jsonencode(s.Resource), "notices")]) == 0
    )
    error_message = "the operator writes hold states, and nothing of the notices table (10.45)"
  }
  assert {
    condition     = length([for s in jsondecode(aws_iam_role_policy.support["viewer"].policy).Statement : s if s.Sid == "WriteHoldStates"]) == 0
    error_message = "the viewer writes no hold state"
  }
}
