output "log_types" {
  description = "The log types delivered for this bus, in the order their deliveries are created."
  value       = concat(["ERROR_LOGS"], local.info ? ["INFO_LOGS"] : [], local.trace ? ["TRACE_LOGS"] : [])
}

output "delivery_ids" {
  description = "The deliveries' ids, in creation order."
  value       = concat([aws_cloudwatch_log_delivery.error.id], aws_cloudwatch_log_delivery.info[*].id, aws_cloudwatch_log_delivery.trace[*].id)
}
