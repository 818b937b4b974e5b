# The trust's notices (issue #25; docs/adr/0002-holds.md; docs/guarantees.md 10.42, 10.43): one SNS topic per trust,
# <prefix>-<ODS>-notices, that only the notifier publishes to, and one email subscription per `contacts` address.
locals {
  # Keyed by the address as written (the schema refuses repeats, case-insensitively): adding or removing one address
  # never recreates another's subscription.
  contacts = toset(try(var.config.contacts, []))
}

# SSE-KMS with the environment's notices key, whose policy lets the notifier's role alone use it (with the account
# root: modules/policies/pipeline). A publisher to an encrypted topic needs kms:GenerateDataKey and kms:Decrypt on its
# key; SNS decrypts for delivery itself (Amazon SNS Developer Guide, "Key management",
# https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html).
resource "aws_sns_topic" "notices" {
  name              = "${local.name}-notices"
  display_name      = "Callbacks ${local.trust_id}"
  kms_master_key_id = var.notices_kms_key_arn
  tags              = { TrustId = local.trust_id, Purpose = "trust-notices" }
}

module "topic_policy" {
  source = "../policies/trust-topic"
  # From the notifier's role ARN (arn:<partition>:iam::<account>:role/...): no per-trust data source.
  partition         = element(split(":", var.notifier_role_arn), 1)
  account_id        = element(split(":", var.notifier_role_arn), 4)
  topic_arn         = aws_sns_topic.notices.arn
  notifier_role_arn = var.notifier_role_arn
}

resource "aws_sns_topic_policy" "notices" {
  arn    = aws_sns_topic.notices.arn
  policy = module.topic_policy.topic_policy
}

# One email subscription per address. SNS sends the address a confirmation message; nothing reaches it until the
# recipient confirms (the trust's integration guide says so). The provider calls email "partially supported": it cannot
# unsubscribe a subscription still pending confirmation, so destroying one (an address removed from the file before it
# confirmed) only forgets it, and it stays pending in AWS (provider docs, aws_sns_topic_subscription,
# https://registry.terraform.io/providers/hashicorp/aws/5.100.0/docs/resources/sns_topic_subscription); deleting the
# topic deletes all its subscriptions (Amazon SNS Developer Guide, "Deleting an Amazon SNS subscription and topic",
# https://docs.aws.amazon.com/sns/latest/dg/sns-delete-subscription-topic.html). endpoint_auto_confirms and
# confirmation_timeout_in_minutes apply to HTTP(S) endpoints only, so they are left at their defaults.
resource "aws_sns_topic_subscription" "contacts" {
  for_each = local.contacts

  topic_arn = aws_sns_topic.notices.arn
  protocol  = "email"
  endpoint  = each.value
}
