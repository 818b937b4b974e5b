# State for the prod account: created once by the bootstrap in infrastructure/terraform/README.md.
bucket       = "trust-callbacks-tfstate-333333333333"
key          = "trust-callbacks/prod.tfstate"
region       = "eu-west-2"
encrypt      = true
kms_key_id   = "alias/trust-callbacks-tfstate"
use_lockfile = true
