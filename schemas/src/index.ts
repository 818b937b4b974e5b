export { BASE64_PATTERN, ODS_CODE_PATTERN, OdsCode, base64, decodeBase64 } from "./common.ts";
export {
  DATA_KEY_PURPOSE,
  EncryptedField,
  SensitiveString,
  dataKeyEncryptionContext,
  fieldAad,
} from "./envelope.ts";
export {
  ATTRIBUTE_NAMES,
  EVENT_TYPES,
  EventAttributes,
  EventType,
  PlatformEvent,
  SENSITIVE_FIELDS,
} from "./events.ts";
export {
  AUTH_TYPES,
  Endpoint,
  EndpointAuth,
  INTERNAL_HOST_SUFFIXES,
  PUBLIC_HOST_PATTERN,
  RESERVED_HEADER_NAMES,
  RESERVED_HEADER_PREFIXES,
  TrustConfig,
  drainRateOf,
  endpointSecretName,
  endpointUrlProblem,
  secretNamePattern,
  type SecretKind,
  type TrustConfigInput,
} from "./trust-config.ts";
export { FieldNotUtf8, openField, openFieldBytes, sealEventFields, sealField } from "./envelope-crypto.ts";
export { mapSensitiveFields } from "./sensitive-fields.ts";
export { formatIssues, issueField } from "./format-issues.ts";
export {
  describeTrustFileIssue,
  parseTrustFile,
  trustIdOfFile,
  type TrustFileIssue,
  type TrustFileIssueCode,
  type TrustFileOptions,
  type TrustFileParse,
} from "./trust-file.ts";
export {
  BusEvent,
  CallbackCloudEvent,
  CallbackDetail,
  DeadLetterBody,
  WebhookHeaders,
  cloudEventOfDeadLetter,
  type BuiltCallbackCloudEvent,
  type BuiltCallbackDetail,
} from "./bus-envelope.ts";
export { MAX_EVENTBRIDGE_NAME_LENGTH, ResourceNameTooLong, endpointResourceName } from "./naming.ts";
export {
  PAYLOAD_PROFILES,
  WEBHOOK_BODIES,
  WEBHOOK_SCHEMAS_DIR,
  type PayloadProfile,
  webhookBodySchema,
  webhookBodySchemaId,
  webhookDataSchemaId,
} from "./webhook-body.ts";
export {
  MAX_SIGNING_KEYS,
  MIN_SIGNING_KEY_BYTES,
  SIGNING_KEY_PATTERN,
  SigningKey,
  SigningSecret,
  activeSigningKeys,
  isActiveSigningKey,
  parseSigningSecret,
  renderSigningSecret,
  newSigningKey,
  signingKeyOf,
  signingKeyProblem,
  type SigningSecretParse,
} from "./signing-secret.ts";
export {
  MAX_SUPPORT_REQUEST_BYTES,
  SUPPORT_REDRIVE_MAX_EVENTS,
  SUPPORT_REPLAY_MAX_RECORDS,
  SupportDeliveryAnswer,
  SupportKinesisRecord,
  SupportRedriveAnswer,
  SupportRedriveRequest,
  SupportRefusal,
  SupportReplayAnswer,
  SupportReplayRequest,
  SupportReplayedRecord,
  SupportSignerAnswer,
  SupportSignerRequest,
  type SupportSignerRequestInput,
} from "./support-signer.ts";
export {
  HOLD_CLOSING_MS,
  HOLD_MESSAGE_GROUP,
  HOLD_STATE_MAX_AGE_SECONDS,
  HOLD_STORE_RETENTION_SECONDS,
  HoldState,
  HoldWindow,
  HoldWindows,
  MAX_HOLD_MS,
  activeSpan,
  endedWindows,
  heldSpans,
  holdDecision,
  holdKey,
  holdQueueName,
  type HoldDecision,
  type HoldStateInput,
} from "./holds.ts";
export { MAX_NOTICE_SUBJECT_LENGTH, NOTICE_KINDS, Notice, type NoticeKind } from "./notices.ts";
