/** AWS knowledge both functions share: SDK client settings (timeouts sized to the function's) and error classification. */
export { DEFAULT_LAMBDA_TIMEOUT_MS, awsClientConfig, awsTimeoutsFor, type AwsClientConfig, type AwsTimeouts } from "./aws-clients.ts";
export { classifyAwsError, httpStatusOf, isMissingObject } from "./aws-errors.ts";
