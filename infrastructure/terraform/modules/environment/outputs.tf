output "trusts" {
  description = "Per trust: its DLQ and, per endpoint, the connection, API destination and rule (what the redrive tool needs)."
  value = { for id, trust in module.trust : id => {
    dlq_url     = trust.dlq_url
    dlq_arn     = trust.dlq_arn
    endpoints   = trust.endpoints
    alarm_names = trust.alarm_names
  } }

  precondition {
    condition     = alltrue([for id, trust in local.trusts : try(trust.trustId, "") == id])
    error_message = "each trust file must be named <trustId>.json after the trustId it contains."
  }
}

output "pipeline" {
  description = "Shared resources of the environment."
  value = {
    event_bus_name       = module.pipeline.event_bus_name
    config_bucket        = module.pipeline.config_bucket
    quarantine_bucket    = module.pipeline.quarantine_bucket
    lambda_function_name = module.pipeline.lambda_function_name
    source_stream_arn    = module.pipeline.source_stream_arn
    pipe_arn             = module.pipeline.pipe_arn
    pipe_dlq_url         = module.pipeline.pipe_dlq_url
    alarm_topic_arn      = module.pipeline.alarm_topic_arn
  }
}
