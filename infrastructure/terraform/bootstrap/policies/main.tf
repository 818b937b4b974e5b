# Every policy document of an account's bootstrap, with no resources and no provider, so
# scripts/terraform/bootstrap-policies.test.ts renders them offline (terraform apply of this module alone) and evaluates
# them with @cloud-copilot/iam-simulate: who may, and who may not.
#
# What the stacks create, and so what the deploy role may change (resource types of root/ and modules/, Dec 2026):
#   EventBridge  aws_cloudwatch_event_bus, _rule, _target, _connection, _api_destination
#   Pipes        aws_pipes_pipe
#   Lambda       aws_lambda_function, aws_lambda_permission, aws_lambda_invocation (connection-sync at apply)
#   IAM          aws_iam_role, aws_iam_role_policy (inline only; no managed policy, no attachment)
#   KMS          aws_kms_key, aws_kms_alias
#   S3           aws_s3_bucket (+ _versioning, _server_side_encryption_configuration, _public_access_block,
#                _ownership_controls, _lifecycle_configuration, _policy), aws_s3_object (subscription documents)
#   SQS          aws_sqs_queue, aws_sqs_queue_policy
#   SNS          aws_sns_topic, aws_sns_topic_policy, aws_sns_topic_subscription (trust notices: email, issue #25)
#   Logs         aws_cloudwatch_log_group, aws_cloudwatch_log_delivery_source, _destination, aws_cloudwatch_log_delivery
#   CloudWatch   aws_cloudwatch_metric_alarm, aws_cloudwatch_dashboard
#   DynamoDB     aws_dynamodb_table
#   Kinesis      aws_kinesis_stream (test accounts only: create_test_source)
# Everything is named trust-callbacks-<env>-... (modules/pipeline local.name) and tagged Project = trust-callbacks,
# Environment = <env> (root/providers.tf default_tags): statements are scoped by that name prefix in the ARN, or by
# those tags where the ARN holds no name (KMS keys). Where IAM cannot scope an action at all, the statement says so.
#
# GitHub's OIDC subject claims (GitHub Docs, "OpenID Connect reference", Example subject claims:
# https://docs.github.com/en/actions/reference/security/oidc): a job bound to an environment has
# `repo:<owner>/<repo>:environment:<name>`; a pull_request run `repo:<owner>/<repo>:pull_request`; any other job
# `repo:<owner>/<repo>:ref:<ref>`. AWS evaluates them as the condition keys token.actions.githubusercontent.com:sub and
# :aud, the audience being sts.amazonaws.com for aws-actions/configure-aws-credentials (GitHub Docs, "Configuring
# OpenID Connect in Amazon Web Services": https://docs.github.com/en/actions/how-tos/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services;
# IAM User Guide, "Create a role for OpenID Connect federation", GitHub: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html).
# StringEquals, never StringLike or ForAllValues: a ForAllValues test passes when the claim is absent.

locals {
  prefix        = "trust-callbacks-${var.environment}"
  oidc_provider = "arn:aws:iam::${var.account_id}:oidc-provider/token.actions.githubusercontent.com"
  plan_role     = "arn:aws:iam::${var.account_id}:role/${var.plan_role_name}"
  deploy_role   = "arn:aws:iam::${var.account_id}:role/${var.deploy_role_name}"
  in_region     = "${var.region}:${var.account_id}"
  bucket_arn    = "arn:aws:s3:::${var.state_bucket}"
  # The S3 backend keeps the default workspace's state at key, another workspace's at env:/<workspace>/<key>
  # (Terraform, "Backend type: s3": https://developer.hashicorp.com/terraform/language/backend/s3); with
  # use_lockfile = true it locks with <state object>.tflock beside it (same page, "State Locking"; Terraform 1.10+,
  # generally available in 1.11).
  state_objects = ["${local.bucket_arn}/${var.state_key}", "${local.bucket_arn}/env:/*/${var.state_key}"]
  lock_objects  = [for object in local.state_objects : "${object}.tflock"]
  # S3 uses the state key on the caller's behalf. The encryption context is the bucket's ARN with an S3 Bucket Key
  # (the bootstrap enables one), the object's without (S3 User Guide, "Using Amazon S3 Bucket Keys":
  # https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html): both are allowed, so it does not matter.
  via_s3_state = {
    StringEquals = { "kms:ViaService" = "s3.${var.region}.amazonaws.com" }
    StringLike   = { "kms:EncryptionContext:aws:s3:arn" = [local.bucket_arn, "${local.bucket_arn}/*"] }
  }
  tagged = {
    StringEquals = { "aws:ResourceTag/Project" = "trust-callbacks", "aws:ResourceTag/Environment" = var.environment }
  }

  oidc_trust = {
    Effect    = "Allow"
    Principal = { Federated = local.oidc_provider }
    Action    = "sts:AssumeRoleWithWebIdentity"
  }

  documents = {
    # Pull requests (the plan workflow) and main (the deploy workflow's plan jobs, drift): never an environment's
    # subject, so a job that may assume the deploy role is not given the plan role's read of everything either way.
    plan_trust_policy = {
      Version = "2012-10-17"
      Statement = [merge(local.oidc_trust, {
        Sid = "GitHubPullRequestsAndMainOfThisRepository"
        Condition = {
          StringEquals = {
            "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
            "token.actions.githubusercontent.com:sub" = ["repo:${var.github_repository}:pull_request", "repo:${var.github_repository}:ref:refs/heads/main"]
          }
        }
      })]
    }

    # Only a job bound to this account's GitHub environment, whose protection rules (required reviewers) gate it.
    deploy_trust_policy = {
      Version = "2012-10-17"
      Statement = [merge(local.oidc_trust, {
        Sid = "GitHubEnvironmentOfThisAccountOnly"
        Condition = {
          StringEquals = {
            "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
            "token.actions.githubusercontent.com:sub" = "repo:${var.github_repository}:environment:${var.github_environment}"
          }
        }
      })]
    }

    # What `terraform plan` reads: the state (no write, no lock: make plan-readonly) and the configuration of what the
    # stacks create. Describe/List/Get of metadata only: no secret value, no queue message, no stream record, no log
    # event, no table item, no object outside the subscription documents.
    read_policy = {
      Version = "2012-10-17"
      Statement = [
        {
          Sid      = "ListStateAndWorkspaces"
          Effect   = "Allow"
          Action   = "s3:ListBucket"
          Resource = local.bucket_arn
        },
        {
          Sid      = "ReadState"
          Effect   = "Allow"
          Action   = "s3:GetObject"
          Resource = local.state_objects
        },
        {
          Sid       = "DecryptStateThroughS3"
          Effect    = "Allow"
          Action    = "kms:Decrypt"
          Resource  = "arn:aws:kms:${local.in_region}:key/*"
          Condition = local.via_s3_state
        },
        {
          Sid    = "DescribeWhatTheStacksCreate"
          Effect = "Allow"
          Action = [
            "events:DescribeEventBus", "events:DescribeRule", "events:DescribeConnection", "events:DescribeApiDestination",
            "events:ListTargetsByRule", "events:ListTagsForResource",
            "pipes:DescribePipe", "pipes:ListTagsForResource",
            "lambda:GetFunction*", "lambda:GetPolicy", "lambda:GetRuntimeManagementConfig", "lambda:ListVersionsByFunction", "lambda:ListTags",
            "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ListQueueTags",
            "sns:GetTopicAttributes", "sns:ListTagsForResource", "sns:GetSubscriptionAttributes", "sns:ListSubscriptionsByTopic",
            "dynamodb:Describe*", "dynamodb:GetResourcePolicy", "dynamodb:ListTagsOfResource",
            "kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:ListTagsForStream",
            "cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource", "cloudwatch:GetDashboard",
            "logs:ListTagsForResource", "logs:ListTagsLogGroup", "logs:GetDeliverySource", "logs:GetDeliveryDestination",
            "logs:GetDelivery", "logs:GetDeliveryDestinationPolicy",
          ]
          Resource = [
            "arn:aws:events:${local.in_region}:event-bus/${local.prefix}-*", "arn:aws:events:${local.in_region}:rule/${local.prefix}-*",
            "arn:aws:events:${local.in_region}:connection/${local.prefix}-*", "arn:aws:events:${local.in_region}:api-destination/${local.prefix}-*",
            "arn:aws:pipes:${local.in_region}:pipe/${local.prefix}-*",
            "arn:aws:lambda:${local.in_region}:function:${local.prefix}-*",
            "arn:aws:sqs:${local.in_region}:${local.prefix}-*",
            "arn:aws:sns:${local.in_region}:${local.prefix}-*",
            "arn:aws:dynamodb:${local.in_region}:table/${local.prefix}-*",
            "arn:aws:kinesis:${local.in_region}:stream/${local.prefix}-*",
            "arn:aws:cloudwatch:${local.in_region}:alarm:${local.prefix}-*", "arn:aws:cloudwatch::${var.account_id}:dashboard/${local.prefix}",
            "arn:aws:logs:${local.in_region}:log-group:/aws/lambda/${local.prefix}-*", "arn:aws:logs:${local.in_region}:log-group:/aws/vendedlogs/*/${local.prefix}-*",
            "arn:aws:logs:${local.in_region}:delivery-source:${local.prefix}-*", "arn:aws:logs:${local.in_region}:delivery-destination:${local.prefix}-*",
            "arn:aws:logs:${local.in_region}:delivery:*",
          ]
        },
        {
          Sid      = "DescribeRolesOfTheStacks"
          Effect   = "Allow"
          Action   = ["iam:GetRole", "iam:GetRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole"]
          Resource = "arn:aws:iam::${var.account_id}:role/${local.prefix}-*"
        },
        {
          Sid    = "DescribeBucketsOfTheStacks"
          Effect = "Allow"
          Action = [
            "s3:ListBucket", "s3:GetBucketAcl", "s3:GetBucketCORS", "s3:GetBucketWebsite", "s3:GetBucketVersioning", "s3:GetAccelerateConfiguration",
            "s3:GetBucketRequestPayment", "s3:GetBucketLogging", "s3:GetLifecycleConfiguration", "s3:GetReplicationConfiguration",
            "s3:GetEncryptionConfiguration", "s3:GetBucketObjectLockConfiguration", "s3:GetBucketTagging", "s3:GetBucketPolicy",
            "s3:GetBucketPublicAccessBlock", "s3:GetBucketOwnershipControls",
          ]
          Resource = "arn:aws:s3:::${local.prefix}-*"
        },
        {
          # aws_s3_object reads the subscription documents back (the trust files, no secret in them).
          Sid      = "ReadSubscriptionDocuments"
          Effect   = "Allow"
          Action   = ["s3:GetObject", "s3:GetObjectTagging"]
          Resource = "arn:aws:s3:::${local.prefix}-config-${var.account_id}/subscriptions/*"
        },
        {
          # Key ARNs hold no name: metadata of any key in the Region (no use of a key: no Decrypt here).
          Sid      = "DescribeKeysAndAliases"
          Effect   = "Allow"
          Action   = ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags", "kms:ListAliases"]
          Resource = "*"
        },
        {
          # IAM cannot scope these by resource (Service Authorization Reference: no resource type for them).
          Sid      = "ListWithoutResource"
          Effect   = "Allow"
          Action   = ["logs:DescribeLogGroups", "logs:DescribeResourcePolicies", "logs:DescribeDeliveries", "logs:DescribeDeliverySources", "logs:DescribeDeliveryDestinations", "events:ListEventBuses", "events:ListRules"]
          Resource = "*"
        },
      ]
    }

    # The deploy role writes the environment's state (and its lock), never the bootstrap's own.
    deploy_state_policy = {
      Version = "2012-10-17"
      Statement = [
        {
          Sid      = "WriteStateAndLock"
          Effect   = "Allow"
          Action   = ["s3:PutObject"]
          Resource = concat(local.state_objects, local.lock_objects)
        },
        {
          Sid      = "ReleaseLock"
          Effect   = "Allow"
          Action   = ["s3:DeleteObject"]
          Resource = local.lock_objects
        },
        {
          Sid       = "EncryptStateThroughS3"
          Effect    = "Allow"
          Action    = ["kms:GenerateDataKey", "kms:Decrypt"]
          Resource  = "arn:aws:kms:${local.in_region}:key/*"
          Condition = local.via_s3_state
        },
        {
          Sid    = "NeverTheBootstrapNorItsRoles"
          Effect = "Deny"
          Action = ["iam:*"]
          Resource = [
            local.plan_role, local.deploy_role, "arn:aws:iam::${var.account_id}:role/${local.prefix}-github-*",
            "arn:aws:iam::${var.account_id}:oidc-provider/*",
          ]
        },
        {
          Sid      = "NeverTheStateBucketItself"
          Effect   = "Deny"
          Action   = ["s3:PutBucket*", "s3:DeleteBucket*", "s3:PutEncryptionConfiguration", "s3:PutLifecycleConfiguration", "s3:PutReplicationConfiguration", "s3:DeleteObjectVersion"]
          Resource = [local.bucket_arn, "${local.bucket_arn}/*"]
        },
        {
          Sid      = "NeverTheBootstrapState"
          Effect   = "Deny"
          Action   = ["s3:PutObject", "s3:DeleteObject", "s3:GetObject"]
          Resource = "${local.bucket_arn}/${var.bootstrap_state_key}*"
        },
      ]
    }

    # The stacks' own resources, part 1: EventBridge, Pipes, Lambda, IAM.
    deploy_events_compute_policy = {
      Version = "2012-10-17"
      Statement = [
        {
          Sid    = "EventBridge"
          Effect = "Allow"
          Action = [
            "events:CreateEventBus", "events:UpdateEventBus", "events:DeleteEventBus",
            "events:PutRule", "events:DeleteRule", "events:EnableRule", "events:DisableRule", "events:PutTargets", "events:RemoveTargets",
            "events:CreateConnection", "events:UpdateConnection", "events:DeleteConnection",
            "events:CreateApiDestination", "events:UpdateApiDestination", "events:DeleteApiDestination",
            "events:TagResource", "events:UntagResource",
          ]
          Resource = [
            "arn:aws:events:${local.in_region}:event-bus/${local.prefix}-*", "arn:aws:events:${local.in_region}:rule/${local.prefix}-*",
            "arn:aws:events:${local.in_region}:connection/${local.prefix}-*", "arn:aws:events:${local.in_region}:api-destination/${local.prefix}-*",
          ]
        },
        {
          # A connection's credentials live in a secret EventBridge's service-linked role manages (AWS managed policy
          # AmazonEventBridgeApiDestinationsServiceRolePolicy); the first connection of an account creates that role
          # (as AmazonEventBridgeFullAccess allows: https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonEventBridgeFullAccess.html).
          Sid       = "ApiDestinationsServiceLinkedRole"
          Effect    = "Allow"
          Action    = "iam:CreateServiceLinkedRole"
          Resource  = "arn:aws:iam::${var.account_id}:role/aws-service-role/apidestinations.events.amazonaws.com/AWSServiceRoleForAmazonEventBridgeApiDestinations"
          Condition = { StringEquals = { "iam:AWSServiceName" = "apidestinations.events.amazonaws.com" } }
        },
        {
          Sid      = "Pipes"
          Effect   = "Allow"
          Action   = ["pipes:CreatePipe", "pipes:UpdatePipe", "pipes:DeletePipe", "pipes:StartPipe", "pipes:StopPipe", "pipes:TagResource", "pipes:UntagResource"]
          Resource = "arn:aws:pipes:${local.in_region}:pipe/${local.prefix}-*"
        },
        {
          # InvokeFunction: aws_lambda_invocation runs connection-sync at apply (modules/trust-endpoint).
          Sid    = "Lambda"
          Effect = "Allow"
          Action = [
            "lambda:CreateFunction", "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration", "lambda:DeleteFunction",
            "lambda:PutFunctionConcurrency", "lambda:DeleteFunctionConcurrency", "lambda:AddPermission", "lambda:RemovePermission",
            "lambda:TagResource", "lambda:UntagResource", "lambda:InvokeFunction",
          ]
          Resource = "arn:aws:lambda:${local.in_region}:function:${local.prefix}-*"
        },
        {
          # Roles the stacks create, with inline policies only. IAM cannot bound what such a policy grants unless the
          # roles carry a permissions boundary (iam:PermissionsBoundary condition), which the stacks' roles do not yet:
          # the deploy role can give a role it creates any permission, and that role can be passed to the stacks'
          # services. Reviewers' approval of the plan is the control for that today.
          Sid    = "RolesOfTheStacks"
          Effect = "Allow"
          Action = [
            "iam:CreateRole", "iam:DeleteRole", "iam:UpdateRole", "iam:UpdateAssumeRolePolicy", "iam:PutRolePolicy", "iam:DeleteRolePolicy",
            "iam:TagRole", "iam:UntagRole",
          ]
          Resource = "arn:aws:iam::${var.account_id}:role/${local.prefix}-*"
        },
        {
          Sid       = "PassRolesOfTheStacksToTheirServices"
          Effect    = "Allow"
          Action    = "iam:PassRole"
          Resource  = "arn:aws:iam::${var.account_id}:role/${local.prefix}-*"
          Condition = { StringEquals = { "iam:PassedToService" = ["lambda.amazonaws.com", "pipes.amazonaws.com", "events.amazonaws.com"] } }
        },
      ]
    }

    # The stacks' own resources, part 2: storage, queues, topics, logs, alarms, keys.
    deploy_data_policy = {
      Version = "2012-10-17"
      Statement = [
        {
          Sid    = "BucketsOfTheStacks"
          Effect = "Allow"
          Action = [
            "s3:CreateBucket", "s3:DeleteBucket", "s3:PutBucketVersioning", "s3:PutEncryptionConfiguration", "s3:PutBucketPublicAccessBlock",
            "s3:PutBucketOwnershipControls", "s3:PutLifecycleConfiguration", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutBucketTagging",
          ]
          Resource = "arn:aws:s3:::${local.prefix}-*"
        },
        {
          Sid      = "SubscriptionDocuments"
          Effect   = "Allow"
          Action   = ["s3:PutObject", "s3:DeleteObject", "s3:PutObjectTagging"]
          Resource = "arn:aws:s3:::${local.prefix}-config-${var.account_id}/subscriptions/*"
        },
        {
          Sid    = "QueuesAndTopics"
          Effect = "Allow"
          # A subscription's ARN is its topic's ARN + ":" + an id, so the topic pattern covers the subscription actions
          # (Service Authorization Reference, Amazon SNS: resource type topic) of the trusts' notice topics.
          Action = [
            "sqs:CreateQueue", "sqs:DeleteQueue", "sqs:SetQueueAttributes", "sqs:TagQueue", "sqs:UntagQueue",
            "sns:CreateTopic", "sns:DeleteTopic", "sns:SetTopicAttributes", "sns:TagResource", "sns:UntagResource",
            "sns:Subscribe", "sns:Unsubscribe", "sns:SetSubscriptionAttributes",
          ]
          Resource = ["arn:aws:sqs:${local.in_region}:${local.prefix}-*", "arn:aws:sns:${local.in_region}:${local.prefix}-*"]
        },
        {
          Sid    = "TablesAndStreams"
          Effect = "Allow"
          Action = [
            "dynamodb:CreateTable", "dynamodb:UpdateTable", "dynamodb:DeleteTable", "dynamodb:UpdateTimeToLive", "dynamodb:UpdateContinuousBackups",
            "dynamodb:TagResource", "dynamodb:UntagResource",
            "kinesis:CreateStream", "kinesis:DeleteStream", "kinesis:StartStreamEncryption", "kinesis:IncreaseStreamRetentionPeriod",
            "kinesis:DecreaseStreamRetentionPeriod", "kinesis:AddTagsToStream", "kinesis:RemoveTagsFromStream",
          ]
          Resource = ["arn:aws:dynamodb:${local.in_region}:table/${local.prefix}-*", "arn:aws:kinesis:${local.in_region}:stream/${local.prefix}-*"]
        },
        {
          Sid    = "LogGroupsAlarmsDashboard"
          Effect = "Allow"
          Action = [
            "logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy", "logs:AssociateKmsKey",
            "logs:DisassociateKmsKey", "logs:TagResource", "logs:UntagResource", "logs:TagLogGroup", "logs:UntagLogGroup",
            "logs:PutDeliverySource", "logs:DeleteDeliverySource", "logs:PutDeliveryDestination", "logs:DeleteDeliveryDestination",
            "logs:PutDeliveryDestinationPolicy", "logs:DeleteDeliveryDestinationPolicy", "logs:CreateDelivery", "logs:DeleteDelivery",
            "cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:TagResource", "cloudwatch:UntagResource",
            "cloudwatch:PutDashboard", "cloudwatch:DeleteDashboards",
          ]
          Resource = [
            "arn:aws:logs:${local.in_region}:log-group:/aws/lambda/${local.prefix}-*", "arn:aws:logs:${local.in_region}:log-group:/aws/vendedlogs/*/${local.prefix}-*",
            "arn:aws:logs:${local.in_region}:delivery-source:${local.prefix}-*", "arn:aws:logs:${local.in_region}:delivery-destination:${local.prefix}-*",
            "arn:aws:logs:${local.in_region}:delivery:*",
            "arn:aws:cloudwatch:${local.in_region}:alarm:${local.prefix}-*", "arn:aws:cloudwatch::${var.account_id}:dashboard/${local.prefix}",
          ]
        },
        {
          # Vended log delivery (the Pipe's and the buses' logs) needs these on "*": IAM has no resource type for them
          # (CloudWatch Logs User Guide, "Logs sent to CloudWatch Logs"; the Terraform README's first-deploy notes).
          Sid      = "LogDeliveryWithoutResource"
          Effect   = "Allow"
          Action   = ["logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DeleteResourcePolicy"]
          Resource = "*"
        },
        {
          # kms:CreateKey has no resource to scope by: only with this environment's tags on the request.
          Sid      = "CreateKeysTaggedForThisEnvironment"
          Effect   = "Allow"
          Action   = ["kms:CreateKey", "kms:TagResource"]
          Resource = "*"
          Condition = {
            StringEquals = { "aws:RequestTag/Project" = "trust-callbacks", "aws:RequestTag/Environment" = var.environment }
          }
        },
        {
          # Keys this environment's stacks created (tagged so): administer them, and let EventBridge, DynamoDB and
          # Lambda use them while creating the resources they encrypt (grants only for AWS resources).
          Sid    = "KeysOfThisEnvironment"
          Effect = "Allow"
          Action = [
            "kms:PutKeyPolicy", "kms:EnableKeyRotation", "kms:UpdateKeyDescription", "kms:ScheduleKeyDeletion", "kms:TagResource", "kms:UntagResource",
            "kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias", "kms:Decrypt", "kms:GenerateDataKey", "kms:CreateGrant",
          ]
          Resource  = "arn:aws:kms:${local.in_region}:key/*"
          Condition = local.tagged
        },
        {
          Sid      = "AliasesOfThisEnvironment"
          Effect   = "Allow"
          Action   = ["kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"]
          Resource = ["arn:aws:kms:${local.in_region}:alias/${local.prefix}", "arn:aws:kms:${local.in_region}:alias/${local.prefix}-*"]
        },
      ]
    }

    # The state key: the documented default key policy (the account root delegates to IAM), nothing else; the roles'
    # IAM policies above say who uses it, and only through S3 on the state bucket (KMS Developer Guide, "Default key
    # policy": https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html).
    state_key_policy = {
      Version = "2012-10-17"
      Statement = [{
        Sid       = "AccountRootDelegatesToIam"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${var.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      }]
    }

    # The state bucket: TLS only, and the environment's state objects written by the deploy role (or a break-glass
    # administrator named in var.state_writers) and no one else, whatever their IAM policies say.
    state_bucket_policy = {
      Version = "2012-10-17"
      Statement = [
        {
          Sid       = "TlsOnly"
          Effect    = "Deny"
          Principal = "*"
          Action    = "s3:*"
          Resource  = [local.bucket_arn, "${local.bucket_arn}/*"]
          Condition = { Bool = { "aws:SecureTransport" = "false" } }
        },
        {
          Sid       = "StateWrittenOnlyByTheDeployRole"
          Effect    = "Deny"
          Principal = "*"
          Action    = ["s3:PutObject", "s3:DeleteObject"]
          Resource  = local.state_objects
          Condition = { ArnNotEquals = { "aws:PrincipalArn" = concat([local.deploy_role], var.state_writers) } }
        },
      ]
    }
  }
}

