terraform {
  required_version = ">= 1.11.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }
  # Partial configuration: environments/<env>/backend.hcl (`make plan ENV=<env>` passes it). One workspace per
  # callbacks bus (bus-<i>): the S3 backend keeps a workspace's state at env:/<workspace>/<key>
  # (https://developer.hashicorp.com/terraform/language/backend/s3); the key's default workspace is the pipeline stack's.
  backend "s3" {}
}
