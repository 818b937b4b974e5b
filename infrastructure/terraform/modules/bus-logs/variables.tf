variable "bus_name" {
  description = "The callbacks bus whose logs this delivers (its delivery sources are named after it)."
  type        = string
  validation {
    # Delivery source names: 1-60 characters of [\w-] (CloudWatch Logs API Reference, PutDeliverySource); the
    # longest suffix below is "-trace".
    condition     = can(regex("^[A-Za-z0-9_-]{1,54}$", var.bus_name))
    error_message = "bus_name must be 1-54 characters of letters, digits, _ and - (a delivery source name is at most 60)."
  }
}

variable "bus_arn" {
  description = "ARN of that bus (the delivery sources' resource_arn)."
  type        = string
  validation {
    condition     = can(regex("^arn:aws[a-z-]*:events:[a-z0-9-]+:[0-9]{12}:event-bus/", var.bus_arn))
    error_message = "bus_arn must be an EventBridge event bus ARN."
  }
}

variable "level" {
  description = "The bus's log level (its LogConfig, set by modules/pipeline): ERROR, INFO or TRACE. A delivery source is made for its log type and every type below it."
  type        = string
  validation {
    condition     = contains(["ERROR", "INFO", "TRACE"], var.level)
    error_message = "level must be ERROR, INFO or TRACE (OFF: do not call this module)."
  }
}

variable "delivery_destination_arn" {
  description = "The environment's delivery destination for bus logs (modules/pipeline: the encrypted bus log group)."
  type        = string
  validation {
    condition     = can(regex("^arn:aws[a-z-]*:logs:[a-z0-9-]+:[0-9]{12}:delivery-destination:", var.delivery_destination_arn))
    error_message = "delivery_destination_arn must be a CloudWatch Logs delivery destination ARN."
  }
}
