variable "name_prefix" {
  description = "Prefix of every resource name, e.g. trust-callbacks-prod."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name_prefix))
    error_message = "name_prefix must be 2-31 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "config" {
  description = "The trust config file, decoded (jsondecode(file(...))). Endpoint fields are validated in the trust-endpoint module."
  type = object({
    trustId   = string
    name      = string
    enabled   = bool
    endpoints = any
    # Email addresses told of state changes (notices.tf); the schema refuses repeats and more than 10.
    contacts = optional(list(string), [])
  })
  validation {
    condition     = can(regex("^[A-Z0-9]{3,6}$", var.config.trustId))
    error_message = "trustId must be an ODS code: 3 to 6 upper-case letters or digits, e.g. RX1."
  }
  validation {
    condition     = alltrue([for endpoint in var.config.endpoints : can(endpoint.id)])
    error_message = "every endpoint needs an id."
  }
  validation {
    condition     = length(distinct([for endpoint in var.config.endpoints : try(endpoint.id, "")])) == length(var.config.endpoints)
    error_message = "endpoint ids must be unique within a trust; they name the endpoint's AWS resources."
  }
  validation {
    condition     = length(var.config.endpoints) <= 20
    error_message = "a trust has at most 20 endpoints."
  }
}

variable "subscription_document" {
  description = "The trust config file's text, uploaded unchanged as the trust's subscription document."
  type        = string
}

variable "config_bucket" {
  description = "Bucket holding the subscription documents."
  type        = string
}

variable "subscriptions_prefix" {
  description = "Key prefix of the subscription documents; this trust's is <prefix><trustId>.json."
  type        = string
  default     = "subscriptions/"
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key for the uploaded subscription document."
  type        = string
}

variable "dlq_kms_key_arn" {
  description = "Customer-managed KMS key of the DLQ: the deployment's dead-letters key, which EventBridge may use."
  type        = string
}

variable "connection_kms_key_arn" {
  description = "Customer-managed KMS key for the endpoints' connection secrets."
  type        = string
}

variable "event_bus_name" {
  description = "Name of the callbacks event bus."
  type        = string
}

variable "previous_event_bus_name" {
  description = "The callbacks bus the trust is moving off (round 1 of a change of event_buses.count): its endpoints keep their rules there too until round 2. null: not moving."
  type        = string
  default     = null
}

variable "bus_source" {
  description = "PutEvents Source of callbacks."
  type        = string
  default     = "trust-callbacks"
}

variable "dlq_message_retention_seconds" {
  description = "How long failed deliveries wait in the trust's DLQ for support staff (SQS maximum: 14 days)."
  type        = number
  default     = 1209600
  validation {
    condition     = var.dlq_message_retention_seconds >= 86400 && var.dlq_message_retention_seconds <= 1209600
    error_message = "dlq_message_retention_seconds must be from 1 day (86400) to 14 days (1209600)."
  }
}

variable "invocation_role_arn" {
  description = "ARN of the deployment's role that EventBridge assumes to invoke API destinations."
  type        = string
}

variable "alarm_actions" {
  description = "ARNs notified by this trust's alarms."
  type        = list(string)
  default     = []
}

variable "connection_sync_function_name" {
  description = "The deployment's connection-sync function: each endpoint's connection is synced with it at apply time, before its target exists."
  type        = string
}

variable "hold_store_kms_key_arn" {
  description = "ARN of the environment's holds key (modules/pipeline output holds.key_arn): encrypts every endpoint's hold store."
  type        = string
}

variable "notices_kms_key_arn" {
  description = "ARN of the environment's notices key (modules/pipeline output notices.key_arn): encrypts the trust's notice topic."
  type        = string
  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/", var.notices_kms_key_arn))
    error_message = "notices_kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)."
  }
}

variable "notifier_role_arn" {
  description = "ARN of the notifier's role (modules/pipeline output notices.notifier_role_arn): the only principal the trust's topic lets publish."
  type        = string
}
