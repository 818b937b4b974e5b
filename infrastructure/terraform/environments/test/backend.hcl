# State for the test account: created once by the bootstrap in infrastructure/terraform/README.md.
bucket       = "trust-callbacks-tfstate-111111111111"
key          = "trust-callbacks/test.tfstate"
region       = "eu-west-2"
encrypt      = true
kms_key_id   = "alias/trust-callbacks-tfstate"
use_lockfile = true
