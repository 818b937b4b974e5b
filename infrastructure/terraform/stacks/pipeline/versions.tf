terraform {
  required_version = ">= 1.11.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }
  # Partial configuration: environments/<env>/backend.hcl (`make plan ENV=<env>` passes it). This stack's state is the
  # key's default workspace; stacks/trusts keeps one workspace per bus under the same key and reads this state.
  backend "s3" {}
}
