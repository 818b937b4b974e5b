# The trusts stack's inputs: environments/<env>/terraform.tfvars (the variables it shares with the pipeline stack;
# it ignores the others), the bus (its workspace), and where the pipeline stack's state is.

variable "environment" {
  description = "Environment name (test, staging, prod): selects environments/<environment>/trusts and is part of every name and tag."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,11}$", var.environment))
    error_message = "environment must be 2-12 lower-case letters or digits, starting with a letter."
  }
}

variable "aws_account_id" {
  description = "The only AWS account this environment may deploy to (the provider refuses any other)."
  type        = string
  validation {
    condition     = can(regex("^[0-9]{12}$", var.aws_account_id))
    error_message = "aws_account_id must be a 12-digit AWS account id."
  }
}

variable "region" {
  description = "AWS Region of the deployment."
  type        = string
  default     = "eu-west-2"
  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must be an AWS Region name such as eu-west-2."
  }
}

variable "owner" {
  description = "Owning team, for the Owner tag."
  type        = string
}

variable "trusts_dir" {
  description = "Directory of trust config files; null reads environments/<environment>/trusts. Tests point it at fixtures."
  type        = string
  default     = null
}

variable "event_buses" {
  description = <<-EOT
    Callbacks buses. Each trust's rules live on one bus, chosen by a hash of its ODS code: `count` buses of at most
    `rules_per_bus_quota` rules each (EventBridge "Rules per event bus", 300 by default; raise it in Service Quotas
    and set the granted value here). Changing `count` moves trusts between buses: see infrastructure/terraform/README.md.
  EOT
  type = object({
    count               = optional(number, 1)
    rules_per_bus_quota = optional(number, 300)
  })
  default = {}
  validation {
    condition     = var.event_buses.count >= 1 && var.event_buses.count <= 50 && floor(var.event_buses.count) == var.event_buses.count
    error_message = "event_buses.count must be a whole number from 1 to 50 (EventBridge allows 100 event buses per account by default)."
  }
  validation {
    condition     = var.event_buses.rules_per_bus_quota >= 1
    error_message = "event_buses.rules_per_bus_quota must be the rules-per-bus quota of this account (300 unless raised)."
  }
}

variable "bus" {
  description = "The callbacks bus this stack holds the trusts of; null: the workspace's, bus-<i> (what `make plan` selects). Tests, which run in the default workspace, set it."
  type        = number
  default     = null
  validation {
    condition     = var.bus == null || try(var.bus >= 0 && var.bus <= 99 && floor(var.bus) == var.bus, false)
    error_message = "bus must be a bus index from 0 to 99."
  }
}

variable "bus_moves" {
  description = "Round 1 of a change of event_buses.count (`make plan` writes it; {} otherwise): per moving trust (ODS code), the bus index whose state held it (`from`) and the one it hashes to now (`to`). Infrastructure README, \"Changing event_buses.count\"; promise 8.10."
  type = map(object({
    from = number
    to   = number
  }))
  default = {}
  validation {
    condition     = alltrue([for move in var.bus_moves : move.from != move.to && move.from >= 0 && move.to >= 0 && move.from <= 99 && move.to <= 99])
    error_message = "each bus move goes from one bus index (0-99) to another."
  }
}

variable "new_rule_settle_seconds" {
  description = "Round 1 of a bus move: seconds between creating the rules of the trusts moving to this bus and writing the shard that names this bus for them (PutRule: new rules take \"a short period of time\" to match). AWS gives no figure."
  type        = number
  default     = 60
  validation {
    condition     = var.new_rule_settle_seconds >= 0 && var.new_rule_settle_seconds <= 900 && floor(var.new_rule_settle_seconds) == var.new_rule_settle_seconds
    error_message = "new_rule_settle_seconds must be a whole number of seconds from 0 to 900."
  }
}

variable "pipeline_state" {
  description = "Where the pipeline stack's state is: the S3 backend settings (bucket, key, region, ...) of environments/<env>/backend.hcl, whose default workspace it is; `make plan` passes them. Read through terraform_remote_state unless pipeline is set."
  type        = map(string)
  default     = null
  validation {
    condition     = var.pipeline_state == null || try(var.pipeline_state.bucket != "" && var.pipeline_state.key != "" && var.pipeline_state.region != "", false)
    error_message = "pipeline_state needs at least bucket, key and region of the pipeline stack's state."
  }
}

variable "pipeline" {
  description = "The pipeline stack's output trusts_stack_inputs, given directly instead of read from pipeline_state (tests, and the tf-scale measurement). Names and ARNs only, no secret."
  type = object({
    name_prefix                   = string
    config_bucket                 = string
    subscriptions_prefix          = string
    kms_key_arn                   = string
    dead_letters_kms_key_arn      = string
    connections_kms_key_arn       = string
    event_bus_names               = list(string)
    bus_source                    = string
    api_destinations_role_arn     = string
    alarm_topic_arn               = string
    connection_sync_function_name = string
    subscription_index_keys       = list(string)
    # Holds and notices (issue #25): every endpoint's hold store is encrypted with the holds key, every trust's topic
    # with the notices key, and only the notifier's role may publish to a topic.
    holds = object({
      hold_store_kms_key_arn = string
      notices_kms_key_arn    = string
      notifier_role_arn      = string
    })
    # null: no bus logs.
    bus_logs = optional(object({
      level                    = string
      delivery_destination_arn = string
      event_bus_arns           = list(string)
    }))
  })
  default = null
  validation {
    condition     = (var.pipeline == null) != (var.pipeline_state == null)
    error_message = "set exactly one of pipeline_state (where the pipeline stack's state is; make plan ENV=<env> passes it) and pipeline (its outputs, in tests)."
  }
}
