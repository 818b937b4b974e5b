# State for the staging account: created once by the bootstrap in infrastructure/terraform/README.md.
bucket       = "trust-callbacks-tfstate-222222222222"
key          = "trust-callbacks/staging.tfstate"
region       = "eu-west-2"
encrypt      = true
kms_key_id   = "alias/trust-callbacks-tfstate"
use_lockfile = true
