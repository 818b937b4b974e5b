terraform {
  required_version = ">= 1.11.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }
  # Partial configuration: bucket, key, region and KMS key come from backend.hcl (`make plan ENV=<env>` passes environments/<env>/backend.hcl).
  backend "s3" {}
}
