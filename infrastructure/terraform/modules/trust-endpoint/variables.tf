variable "name_prefix" {
  description = "Prefix of every resource name, e.g. trust-callbacks-prod."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name_prefix))
    error_message = "name_prefix must be 2-31 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "trust_id" {
  description = "ODS code of the trust this endpoint belongs to."
  type        = string
  validation {
    condition     = can(regex("^[A-Z0-9]{3,6}$", var.trust_id))
    error_message = "trust_id must be an ODS code: 3 to 6 upper-case letters or digits."
  }
}

variable "trust_enabled" {
  description = "The trust's kill switch; false disables this endpoint's rule too."
  type        = bool
}

variable "endpoint" {
  description = "One endpoint of the trust config file (schemas/json/trust-config.schema.json), defaults applied."
  type = object({
    id          = string
    description = optional(string, "")
    enabled     = optional(bool, true)
    url         = string
    # The trust file always has it (the schema requires it); optional here so a test can leave it out.
    signingSecret = optional(string)
    auth = object({
      type              = string
      credentialsSecret = string
      tokenUrl          = optional(string)
      scopes            = optional(list(string), [])
      headerName        = optional(string)
    })
    rateLimitPerSecond = optional(number, 10)
    retryPolicy = optional(object({
      maximumEventAgeSeconds = optional(number, 86400)
      maximumRetryAttempts   = optional(number, 185)
    }), {})
  })

  validation {
    condition     = can(regex("^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$", var.endpoint.id))
    error_message = "endpoint id must be 1-32 lower-case letters, digits or inner hyphens."
  }
  validation {
    condition     = length("${var.name_prefix}-${var.trust_id}-${var.endpoint.id}") <= 64
    error_message = "The endpoint's rule, connection and API destination name \"${var.name_prefix}-${var.trust_id}-${var.endpoint.id}\" is ${length("${var.name_prefix}-${var.trust_id}-${var.endpoint.id}")} characters; EventBridge allows 64 (EventBridge API Reference, PutRule Name). Shorten the endpoint id in the trust file (it names AWS resources, so pick it before the first deploy) or the deployment's name_prefix."
  }
  validation {
    condition     = startswith(var.endpoint.url, "https://")
    error_message = "endpoint url must start with https:// (EventBridge API destinations deliver over HTTPS only)."
  }
  # docs/guarantees.md 4.1, 4.2: the same rules as endpointUrlProblem() in schemas/src/trust-config.ts, on the same
  # cases (schemas/fixtures/trust-file-refusals.json). A host is a DNS name of two or more labels ending in an
  # alphabetic top-level domain: no IP literal in any spelling, no localhost or single-label host.
  validation {
    condition     = !strcontains(try(regex("^[a-z]+://([^/?#]*)", var.endpoint.url)[0], ""), "@")
    error_message = "endpoint url must not carry user information (a name or password before @): credentials belong in the credentials secret."
  }
  validation {
    condition     = can(regex("^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$", lower(replace(replace(regex("^[a-z]+://([^/?#]*)", var.endpoint.url)[0], "/^.*@/", ""), "/:[0-9]*$/", "")))) && !can(regex("\\.(local|localhost|localdomain|internal|intranet|lan|corp|private|home\\.arpa)$", lower(replace(replace(regex("^[a-z]+://([^/?#]*)", var.endpoint.url)[0], "/^.*@/", ""), "/:[0-9]*$/", ""))))
    error_message = "endpoint url must name its host by a public DNS name (no IP address, no localhost or single-label host, nothing under .local, .internal, .home.arpa and the like): it could reach an internal address."
  }
  validation {
    condition     = var.endpoint.auth.type != "oauth2_client_credentials" || !strcontains(try(regex("^[a-z]+://([^/?#]*)", coalesce(var.endpoint.auth.tokenUrl, "x"))[0], ""), "@")
    error_message = "endpoint auth.tokenUrl must not carry user information (a name or password before @): credentials belong in the credentials secret."
  }
  validation {
    condition     = var.endpoint.auth.type != "oauth2_client_credentials" || (can(regex("^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$", lower(replace(replace(regex("^[a-z]+://([^/?#]*)", coalesce(var.endpoint.auth.tokenUrl, "x"))[0], "/^.*@/", ""), "/:[0-9]*$/", "")))) && !can(regex("\\.(local|localhost|localdomain|internal|intranet|lan|corp|private|home\\.arpa)$", lower(replace(replace(regex("^[a-z]+://([^/?#]*)", coalesce(var.endpoint.auth.tokenUrl, "x"))[0], "/^.*@/", ""), "/:[0-9]*$/", "")))))
    error_message = "endpoint auth.tokenUrl must name its host by a public DNS name (no IP address, no localhost or single-label host, nothing under .local, .internal, .home.arpa and the like): it could reach an internal address."
  }
  validation {
    # docs/guarantees.md 4.3: not a header the webhook (Standard Webhooks, CloudEvents) or HTTP sets.
    condition     = var.endpoint.auth.type != "api_key" || (!contains(["host", "content-type", "content-length", "content-encoding", "transfer-encoding", "connection", "upgrade", "te", "trailer", "keep-alive"], lower(coalesce(var.endpoint.auth.headerName, "!"))) && !can(regex("^(webhook-|ce-|proxy-|x-amz-|x-amzn-)", lower(coalesce(var.endpoint.auth.headerName, "!")))))
    error_message = "endpoint auth.headerName must not be a header the webhook or HTTP sets (webhook-*, ce-*, Host, Content-Type, Content-Length, ...)."
  }
  validation {
    # docs/guarantees.md 4.4: names IAM tells apart, each the endpoint's own (secretNamePattern() in schemas/src/trust-config.ts).
    condition     = can(regex("^[A-Za-z0-9_+=.@-]+/[A-Za-z0-9_+=.@-]+/credentials/${var.trust_id}/${var.endpoint.id}$", var.endpoint.auth.credentialsSecret))
    error_message = "endpoint auth.credentialsSecret must be <app>/<env>/credentials/${var.trust_id}/${var.endpoint.id} (this endpoint's own credentials secret)."
  }
  validation {
    condition     = var.endpoint.signingSecret == null || can(regex("^[A-Za-z0-9_+=.@-]+/[A-Za-z0-9_+=.@-]+/signing/${var.trust_id}/${var.endpoint.id}$", coalesce(var.endpoint.signingSecret, "!")))
    error_message = "endpoint signingSecret must be <app>/<env>/signing/${var.trust_id}/${var.endpoint.id} (this endpoint's own signing secret)."
  }
  validation {
    condition     = contains(["oauth2_client_credentials", "basic", "api_key"], var.endpoint.auth.type)
    error_message = "endpoint auth.type must be one of oauth2_client_credentials, basic, api_key."
  }
  validation {
    condition     = var.endpoint.auth.type != "oauth2_client_credentials" || startswith(coalesce(var.endpoint.auth.tokenUrl, "missing"), "https://")
    error_message = "oauth2_client_credentials auth needs an https:// tokenUrl."
  }
  validation {
    condition     = var.endpoint.auth.type != "api_key" || can(regex("^[A-Za-z0-9-]{1,64}$", coalesce(var.endpoint.auth.headerName, "!")))
    error_message = "api_key auth needs headerName, an HTTP header name."
  }
  validation {
    # The connection-sync function's IAM policy reads credentials secrets by name pattern; an ARN here would not
    # name the same secret in the deployment's credentials map and events.
    condition     = !startswith(var.endpoint.auth.credentialsSecret, "arn:")
    error_message = "endpoint auth.credentialsSecret must be a Secrets Manager secret name (not an ARN), under the deployment's credentials_secret_prefix."
  }
  validation {
    condition     = var.endpoint.rateLimitPerSecond >= 1 && var.endpoint.rateLimitPerSecond <= 300 && floor(var.endpoint.rateLimitPerSecond) == var.endpoint.rateLimitPerSecond
    error_message = "endpoint rateLimitPerSecond must be a whole number from 1 to 300."
  }
  validation {
    condition     = var.endpoint.retryPolicy.maximumEventAgeSeconds >= 60 && var.endpoint.retryPolicy.maximumEventAgeSeconds <= 86400
    error_message = "endpoint retryPolicy.maximumEventAgeSeconds must be from 60 to 86400."
  }
  validation {
    condition     = var.endpoint.retryPolicy.maximumRetryAttempts >= 0 && var.endpoint.retryPolicy.maximumRetryAttempts <= 185
    error_message = "endpoint retryPolicy.maximumRetryAttempts must be from 0 to 185."
  }
}

variable "event_bus_name" {
  description = "Name of the callbacks event bus the rule listens on."
  type        = string
}

variable "previous_event_bus_name" {
  description = "The callbacks bus this endpoint's trust is moving off (round 1 of a change of event_buses.count): the endpoint keeps a second rule and target there until round 2. null: not moving. Infrastructure README, \"Changing event_buses.count\"."
  type        = string
  default     = null
  validation {
    condition     = var.previous_event_bus_name != var.event_bus_name
    error_message = "previous_event_bus_name is the bus the trust leaves: it cannot be the bus it is on (event_bus_name)."
  }
}

variable "bus_source" {
  description = "PutEvents Source the transform-and-filter Lambda publishes with; the rule matches on it."
  type        = string
  default     = "trust-callbacks"
}

variable "dead_letter_queue_arn" {
  description = "ARN of the trust's SQS dead-letter queue for deliveries that exhaust their retries."
  type        = string
  validation {
    condition     = can(regex("^arn:aws[a-z-]*:sqs:", var.dead_letter_queue_arn))
    error_message = "dead_letter_queue_arn must be an SQS queue ARN."
  }
}

variable "invocation_role_arn" {
  description = "ARN of the deployment's role that EventBridge assumes to invoke API destinations (it may invoke every API destination under the name prefix)."
  type        = string
}

variable "connection_kms_key_arn" {
  description = "Customer-managed KMS key (tagged EventBridgeApiDestinations=true) that encrypts the connection's credentials secret."
  type        = string
}

variable "alarm_actions" {
  description = "ARNs notified when deliveries fail (usually the environment's SNS alarm topic)."
  type        = list(string)
  default     = []
}

variable "connection_sync_function_name" {
  description = "Name of the deployment's connection-sync function (modules/pipeline): invoked at apply time to put the credentials secret's values on this endpoint's connection before its target exists."
  type        = string
  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.connection_sync_function_name))
    error_message = "connection_sync_function_name must be a Lambda function name."
  }
}

variable "hold_store_kms_key_arn" {
  description = "ARN of the environment's holds key (modules/pipeline output holds.key_arn): encrypts the endpoint's hold store."
  type        = string
  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/", var.hold_store_kms_key_arn))
    error_message = "hold_store_kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)."
  }
}
