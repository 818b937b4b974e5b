# Holds and trust notices (issue #25; docs/adr/0002-holds.md; docs/guarantees.md 10.40-10.46): the holds key and the
# notices key, the holds and notices tables, the hold-drain function (every minute) and the notifier function (the
# dead-letter alarms' and connections' state changes on the default bus, and a sweep every minute). Each endpoint's
# hold store is in modules/trust-endpoint (hold.tf), each trust's topic in modules/trust. The roles' documents are in
# modules/policies/hold-drain and modules/policies/notifier, the keys' in modules/policies/pipeline, all evaluated by
# scripts/terraform/policies.test.ts.
locals {
  hold_drain_name = "${local.name}-hold-drain"
  notifier_name   = "${local.name}-notifier"
  # ADR 0002: the drain runs every minute and works at most 50 s of its 60 s.
  hold_drain_timeout_seconds = 60
  notifier_timeout_seconds   = 60
  # Built beside the transform function's zip by `npm run lambda-build` unless the caller names another.
  hold_drain_zip_path = coalesce(var.hold_drain_zip_path, "${dirname(var.lambda_zip_path)}/hold-drain.zip")
  notifier_zip_path   = coalesce(var.notifier_zip_path, "${dirname(var.lambda_zip_path)}/notifier.zip")

  # A queue's URL is https://sqs.<region>.amazonaws.com/<account>/<name> (Amazon SQS Developer Guide, "Amazon SQS
  # queue and message identifiers"); a hold store's is this base + holdQueueName(NAME_PREFIX, trust, endpoint).
  hold_queue_url_base = "https://sqs.${local.region}.${data.aws_partition.current.dns_suffix}/${local.account_id}/"
  # A trust's topic ARN is this prefix + "<ODS>-notices" (modules/trust).
  notice_topic_arn_prefix = "arn:${local.partition}:sns:${local.region}:${local.account_id}:${local.name}-"
  # What every function that holds or reads hold states is told (the transform Lambda, the support signer, the drain).
  hold_environment = {
    HOLDS_TABLE_NAME    = aws_dynamodb_table.holds.name
    HOLD_QUEUE_URL_BASE = local.hold_queue_url_base
    NAME_PREFIX         = local.name
  }
}

# Encrypts the hold stores and nothing else; its policy names the producers and the drain (modules/policies/pipeline).
resource "aws_kms_key" "holds" {
  description         = "${local.name}: hold stores (held deliveries)"
  enable_key_rotation = true
  policy              = module.policies.holds_key_policy
}

resource "aws_kms_alias" "holds" {
  name          = "alias/${local.name}-holds"
  target_key_id = aws_kms_key.holds.key_id
}

# Encrypts the trusts' notice topics; its policy names the notifier alone (modules/policies/pipeline).
resource "aws_kms_key" "notices" {
  description         = "${local.name}: trust notice topics"
  enable_key_rotation = true
  policy              = module.policies.notices_key_policy
}

resource "aws_kms_alias" "notices" {
  name          = "alias/${local.name}-notices"
  target_key_id = aws_kms_key.notices.key_id
}

# One item per endpoint with a hold or a drain: `pk` (S, holdKey(ODS, endpoint) = "<ODS>#<endpoint>"), the other
# attributes the HoldState fields (schemas/src/holds.ts). Small (held endpoints only): the drain scans it.
resource "aws_dynamodb_table" "holds" {
  name         = "${local.name}-holds"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"

  attribute {
    name = "pk"
    type = "S"
  }

  # A hold is state support and trusts rely on: restorable like the bindings table.
  point_in_time_recovery {
    enabled = true
  }

  # The data-at-rest key, as for the bindings table (KMS Developer Guide, "How Amazon DynamoDB uses AWS KMS",
  # https://docs.aws.amazon.com/kms/latest/developerguide/services-dynamodb.html): each role's grant is for this
  # table's encryption context only.
  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.main.arn
  }

  tags = { Purpose = "hold-states" }
}

# One item per notice: `id` (S, names one occurrence of one state change; first write wins), the Notice fields
# (schemas/src/notices.ts), `due` (when to send), `sentAt` (set by the notifier) and `expiresAt` (N, epoch seconds,
# 90 days after due: @trust-callbacks/runtime/notices), the TTL attribute that keeps the notifier's sweep small.
resource "aws_dynamodb_table" "notices" {
  name         = "${local.name}-notices"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"

  attribute {
    name = "id"
    type = "S"
  }

  ttl {
    attribute_name = "expiresAt"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.main.arn
  }

  tags = { Purpose = "trust-notices" }
}

# --- hold-drain ---------------------------------------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "hold_drain" {
  name              = "/aws/lambda/${local.hold_drain_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.main.arn
}

module "hold_drain_policies" {
  source = "../policies/hold-drain"

  name_prefix   = local.name
  partition     = local.partition
  region        = local.region
  account_id    = local.account_id
  main_key_arn  = aws_kms_key.main.arn
  log_group_arn = aws_cloudwatch_log_group.hold_drain.arn
  # Subscription documents, signing keys, the buses: one copy with the support signer's.
  re_signing_statements = module.policies.re_signing_statements
  holds_table_arn       = aws_dynamodb_table.holds.arn
  notices_table_arn     = aws_dynamodb_table.notices.arn
  holds_key_arn         = aws_kms_key.holds.arn
}

resource "aws_iam_role" "hold_drain" {
  name               = local.hold_drain_name
  assume_role_policy = module.hold_drain_policies.trust_policy
}

resource "aws_iam_role_policy" "hold_drain" {
  name   = "hold-drain"
  role   = aws_iam_role.hold_drain.name
  policy = module.hold_drain_policies.role_policy
}

resource "aws_lambda_function" "hold_drain" {
  function_name    = local.hold_drain_name
  description      = "Sends held deliveries when their hold ends: in order, re-signed, paced (the only reader of the hold stores)"
  role             = aws_iam_role.hold_drain.arn
  filename         = local.hold_drain_zip_path
  source_code_hash = filebase64sha256(local.hold_drain_zip_path)
  handler          = "index.handler"
  runtime          = "nodejs22.x"
  architectures    = ["arm64"]
  memory_size      = 512
  timeout          = local.hold_drain_timeout_seconds
  # One drain at a time is what the schedule asks for; two would still never both win a transition (conditional
  # writes on version), so no reserved concurrency (docs/guarantees.md 8.4).
  kms_key_arn = aws_kms_key.main.arn

  environment {
    variables = merge(local.signing_function_environment, {
      NOTICES_TABLE_NAME     = aws_dynamodb_table.notices.name
      LAMBDA_TIMEOUT_SECONDS = tostring(local.hold_drain_timeout_seconds) # guarantees 1.5
      NODE_OPTIONS           = "--enable-source-maps"
    })
  }

  logging_config {
    log_format = "Text" # the function writes JSON lines itself (pino)
    log_group  = aws_cloudwatch_log_group.hold_drain.name
  }

  depends_on = [aws_iam_role_policy.hold_drain]
}

# Every minute on the default bus: rate(1 minute) is the shortest rate a scheduled rule takes (EventBridge User
# Guide, "Creating a rule that runs on a schedule in Amazon EventBridge",
# https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-rule-schedule.html). A missed or late minute
# only delays a drain: every step starts from the holds table.
resource "aws_cloudwatch_event_rule" "hold_drain" {
  name                = local.hold_drain_name
  description         = "Runs the hold drain every minute"
  schedule_expression = "rate(1 minute)"
}

resource "aws_cloudwatch_event_target" "hold_drain" {
  rule      = aws_cloudwatch_event_rule.hold_drain.name
  target_id = "hold-drain"
  arn       = aws_lambda_function.hold_drain.arn
}

resource "aws_lambda_permission" "hold_drain" {
  statement_id   = "schedule"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.hold_drain.function_name
  principal      = "events.amazonaws.com"
  source_arn     = aws_cloudwatch_event_rule.hold_drain.arn
  source_account = local.account_id
}

# --- notifier -----------------------------------------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "notifier" {
  name              = "/aws/lambda/${local.notifier_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.main.arn
}

module "notifier_policies" {
  source = "../policies/notifier"

  name_prefix       = local.name
  partition         = local.partition
  region            = local.region
  account_id        = local.account_id
  notices_table_arn = aws_dynamodb_table.notices.arn
  notices_key_arn   = aws_kms_key.notices.arn
  main_key_arn      = aws_kms_key.main.arn
  log_group_arn     = aws_cloudwatch_log_group.notifier.arn
}

resource "aws_iam_role" "notifier" {
  name               = local.notifier_name
  assume_role_policy = module.notifier_policies.trust_policy
}

resource "aws_iam_role_policy" "notifier" {
  name   = "notifier"
  role   = aws_iam_role.notifier.name
  policy = module.notifier_policies.role_policy
}

resource "aws_lambda_function" "notifier" {
  function_name    = local.notifier_name
  description      = "Tells trusts of state changes: publishes due notices to each trust's topic (the only publisher)"
  role             = aws_iam_role.notifier.arn
  filename         = local.notifier_zip_path
  source_code_hash = filebase64sha256(local.notifier_zip_path)
  handler          = "index.handler"
  runtime          = "nodejs22.x"
  architectures    = ["arm64"]
  memory_size      = 256
  timeout          = local.notifier_timeout_seconds
  kms_key_arn      = aws_kms_key.main.arn

  environment {
    variables = {
      ENVIRONMENT             = var.environment
      NAME_PREFIX             = local.name
      NOTICES_TABLE_NAME      = aws_dynamodb_table.notices.name
      NOTICE_TOPIC_ARN_PREFIX = local.notice_topic_arn_prefix
      LOG_LEVEL               = var.lambda.log_level
      LAMBDA_TIMEOUT_SECONDS  = tostring(local.notifier_timeout_seconds)
      NODE_OPTIONS            = "--enable-source-maps"
    }
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.notifier.name
  }

  depends_on = [aws_iam_role_policy.notifier]
}

locals {
  # The notifier's triggers, all on the default bus, where AWS services send their events.
  notifier_rules = {
    # CloudWatch sends every alarm state change to EventBridge, source aws.cloudwatch, detail-type "CloudWatch Alarm
    # State Change", with detail.alarmName, detail.state and detail.previousState (CloudWatch User Guide, "Alarm
    # events and EventBridge", https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html).
    # Only this deployment's per-endpoint dead-letter alarms (modules/trust-endpoint/hold.tf): the wildcard
    # operator matches <prefix>-<ODS>-<endpoint>-dead-letters (EventBridge User Guide, "Comparison operators for use
    # in event patterns", https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html).
    dead-letter-alarms = {
      description = "Per-endpoint dead-letter alarms changing state: failing (ALARM after OK) and recovered (OK) notices"
      pattern = {
        source        = ["aws.cloudwatch"]
        "detail-type" = ["CloudWatch Alarm State Change"]
        detail        = { alarmName = [{ wildcard = "${local.name}-*-dead-letters" }] }
      }
      schedule = null
    }
    # EventBridge itself sends connection state events to the default bus, source aws.events (EventBridge User Guide,
    # "Amazon EventBridge events detail reference": "Connection state events",
    # https://docs.aws.amazon.com/eventbridge/latest/userguide/event-reference.html). Their exact detail-types and
    # fields were not confirmed here, so the rule takes every aws.events event whose detail-type begins with
    # "Connection" and the notifier keeps those naming a connection of this deployment (<prefix>-<ODS>-<endpoint>)
    # and a state it reports (DEAUTHORIZED = failing; AUTHORIZED after it = recovered). Few events: connections
    # change state rarely.
    connection-states = {
      description = "Connection state changes: failing (DEAUTHORIZED) and recovered (AUTHORIZED after it) notices"
      pattern = {
        source        = ["aws.events"]
        "detail-type" = [{ prefix = "Connection" }]
      }
      schedule = null
    }
    # Due notices (a rotation's overlap end, one written while a topic refused) are published by a sweep.
    sweep = {
      description = "Publishes due, unsent notices every minute"
      pattern     = null
      schedule    = "rate(1 minute)"
    }
  }
}

resource "aws_cloudwatch_event_rule" "notifier" {
  for_each = local.notifier_rules

  name                = "${local.notifier_name}-${each.key}"
  description         = each.value.description
  event_pattern       = each.value.pattern == null ? null : jsonencode(each.value.pattern)
  schedule_expression = each.value.schedule
}

resource "aws_cloudwatch_event_target" "notifier" {
  for_each = local.notifier_rules

  rule      = aws_cloudwatch_event_rule.notifier[each.key].name
  target_id = "notifier"
  arn       = aws_lambda_function.notifier.arn
}

resource "aws_lambda_permission" "notifier" {
  for_each = local.notifier_rules

  statement_id   = each.key
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.notifier.function_name
  principal      = "events.amazonaws.com"
  source_arn     = aws_cloudwatch_event_rule.notifier[each.key].arn
  source_account = local.account_id
}
