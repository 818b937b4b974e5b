# A trust's notice topic's access policy (issue #25; docs/guarantees.md 10.42), as a document only: rendered offline by
# scripts/terraform/policy-render and evaluated by scripts/terraform/policies.test.ts. modules/trust attaches it.
# SNS's default topic policy lets every principal of the account publish (Amazon SNS Developer Guide, "Example cases
# for Amazon SNS access control", https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html): this one
# replaces it. The account administers the topic (IAM decides who); only the notifier's role may publish, whatever an
# IAM policy elsewhere in the account allows: the deny names every other principal.
output "topic_policy" {
  description = "The topic's policy: the account administers it, the notifier alone publishes."
  value = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministers"
        Effect    = "Allow"
        Principal = { AWS = "arn:${var.partition}:iam::${var.account_id}:root" }
        Action    = ["sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:ListSubscriptionsByTopic", "sns:Subscribe", "sns:DeleteTopic", "sns:TagResource", "sns:UntagResource", "sns:ListTagsForResource"]
        Resource  = var.topic_arn
      },
      {
        Sid       = "NotifierPublishes"
        Effect    = "Allow"
        Principal = { AWS = var.notifier_role_arn }
        Action    = "sns:Publish"
        Resource  = var.topic_arn
      },
      {
        # aws:PrincipalArn is the role's ARN for a role session (IAM User Guide, "AWS global condition context keys").
        Sid       = "NobodyElsePublishes"
        Effect    = "Deny"
        Principal = { AWS = "*" }
        Action    = "sns:Publish"
        Resource  = var.topic_arn
        Condition = { ArnNotEquals = { "aws:PrincipalArn" = var.notifier_role_arn } }
      },
    ]
  })
}
