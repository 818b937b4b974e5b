terraform {
  required_version = ">= 1.11.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }
  # Local state on the first apply (the bucket does not exist yet); then migrate it into the bucket it made, under a
  # key no GitHub role may read or write (README, "Bootstrap an account"):
  #   terraform init -migrate-state -backend-config=... (bucket, key = bootstrap/terraform.tfstate, use_lockfile = true)
}
