import { z } from "zod";
import { Identifier, OdsCode } from "./common.ts";
import {
  ConversationClosed,
  ConversationCreated,
  EVENT_TYPES,
  EventAttributes,
  MessageCreated,
  MessageRead,
  ResponseSent,
  SENSITIVE_FIELDS,
  type EventType,
} from "./events.ts";
import { Endpoint, EndpointId } from "./trust-config.ts";

export const PAYLOAD_PROFILES = Endpoint.shape.payloadProfile.options;
export type PayloadProfile = (typeof PAYLOAD_PROFILES)[number];

const WEBHOOK_SCHEMA_BASE = "https://schemas.trust-callbacks.nhs.uk/webhooks/";
/** Where the webhook body schemas are published, from the repository root: `<event type>/<profile>/v1.json` below it. */
export const WEBHOOK_SCHEMAS_DIR = "docs/webhooks/schemas/";

/**
 * The `$id` of the JSON Schema of one webhook body (the whole CloudEvent), e.g.
 * `https://schemas.trust-callbacks.nhs.uk/webhooks/message.created/full/v1.json`. An identifier, not
 * necessarily a fetchable URL; the file is `docs/webhooks/schemas/message.created/full/v1.json`.
 */
export const webhookBodySchemaId = (type: EventType, profile: PayloadProfile): string =>
  `${WEBHOOK_SCHEMA_BASE}${type}/${profile}/v1.json`;

/**
 * What the CloudEvent `dataschema` attribute of such a body should carry. CloudEvents defines `dataschema` as
 * the schema that `data` adheres to, so this points into the body schema at its `data` subschema (a JSON
 * Pointer fragment that JSON Schema tools resolve, e.g. ajv's `getSchema()`), not at the envelope.
 */
export const webhookDataSchemaId = (type: EventType, profile: PayloadProfile): string =>
  `${webhookBodySchemaId(type, profile)}#/properties/data`;

/** The `data` of each event type as the platform sends it (sensitive fields clear or encrypted). */
const PLATFORM_DATA = {
  "conversation.created": ConversationCreated.shape.data,
  "message.created": MessageCreated.shape.data,
  "message.read": MessageRead.shape.data,
  "response.sent": ResponseSent.shape.data,
  "conversation.closed": ConversationClosed.shape.data,
} satisfies Record<EventType, z.ZodObject>;

/** A sensitive field in the `full` profile: decrypted, or null when it could not be (see undecryptableFields). */
const DecryptedString = z
  .string()
  .nullable()
  .meta({ description: "Decrypted text; null if it could not be decrypted (its path is then in data.undecryptableFields)." });

/**
 * Rewrites one sensitive-field path (SENSITIVE_FIELDS syntax, `[]` walks an array) of a data schema for a
 * profile: `full` makes the field a decrypted string or null, `minimal` removes it.
 */
function rewritePath(object: z.ZodObject, segments: string[], profile: PayloadProfile): z.ZodObject {
  const [head, ...rest] = segments as [string, ...string[]];
  const array = head.endsWith("[]");
  const key = array ? head.slice(0, -2) : head;
  let field = object.shape[key] as z.ZodType;
  const optional = field instanceof z.ZodOptional;
  if (optional) field = (field as z.ZodOptional).unwrap() as z.ZodType;
  if (rest.length === 0) {
    if (array) throw new Error(`${head}: a sensitive array of strings is not supported`);
    if (profile === "minimal") return object.omit({ [key]: true } as never);
    return object.extend({ [key]: optional ? DecryptedString.optional() : DecryptedString });
  }
  let next: z.ZodType;
  if (array) {
    const list = field as z.ZodArray<z.ZodObject>;
    // clone keeps the array's own checks (e.g. at most 200 participants) with the rewritten items.
    next = list.clone({ ...list._zod.def, element: rewritePath(list.element, rest, profile) });
  } else {
    next = rewritePath(field as z.ZodObject, rest, profile);
  }
  return object.extend({ [key]: optional ? next.optional() : next });
}

/** `data.participants[].displayName` → a regular expression of the paths it lists (`data.participants[3].displayName`). */
const pathPattern = (paths: readonly string[]) =>
  new RegExp(`^(?:${paths.map((p) => `data\\.${p.replaceAll(".", "\\.").replaceAll("[]", "\\[(?:0|[1-9]\\d*)\\]")}`).join("|")})$`);

/** The `data` of a webhook body of one event type and profile. */
function webhookData(type: EventType, profile: PayloadProfile) {
  const paths = SENSITIVE_FIELDS[type];
  const fields = paths.reduce<z.ZodObject>((object, path) => rewritePath(object, path.split("."), profile), PLATFORM_DATA[type]);
  return z.strictObject({
    sourceEventId: z.uuid().meta({ description: "The platform event's eventId." }),
    conversationId: Identifier,
    attributes: EventAttributes.meta({ description: "What endpoint conditions filter on." }),
    ...fields.shape,
    ...(profile === "full"
      ? {
          undecryptableFields: z
            .array(z.string().regex(pathPattern(paths)))
            .min(1)
            .optional()
            .meta({ description: "Paths of the fields delivered as null because they could not be decrypted; absent when there are none." }),
        }
      : {}),
  });
}

/**
 * The webhook body one endpoint receives for one event type and payload profile: a CloudEvent 1.0 in
 * structured JSON mode with the event's `data`. Describes exactly what is sent today (no other properties).
 */
export function webhookBodySchema(type: EventType, profile: PayloadProfile) {
  return z
    .strictObject({
      specversion: z.literal("1.0"),
      id: z.uuid().meta({
        description: "Deterministic per source event and endpoint (also the webhook-id header): the same on every retry and redrive. Deduplicate on it.",
      }),
      source: z.string().min(1).meta({ description: "/trust-callbacks/<environment>, e.g. /trust-callbacks/prod." }),
      type: z.literal(`uk.nhs.trustcallbacks.${type}.v1`),
      subject: z.string().regex(/^conversations\/[\s\S]{1,128}$/).meta({ description: "conversations/<data.conversationId>" }),
      time: z.iso.datetime().meta({ description: "When the event happened on the platform (UTC). Order a conversation's events by it." }),
      datacontenttype: z.literal("application/json"),
      dataschema: z.literal(webhookDataSchemaId(type, profile)).meta({
        description: "The JSON Schema of data: this schema's data subschema (its $id with the fragment #/properties/data).",
      }),
      trustid: OdsCode,
      endpointid: EndpointId,
      correlationid: Identifier,
      payloadprofile: z.literal(profile),
      data: webhookData(type, profile),
    })
    .meta({
      title: `${type} webhook body (${profile} profile)`,
      description:
        profile === "full"
          ? "CloudEvent delivered to an endpoint with the full payload profile: decrypted message text and names."
          : "CloudEvent delivered to an endpoint with the minimal payload profile: identifiers only, every sensitive field removed.",
    });
}

/** Every event type × payload profile. */
export const WEBHOOK_BODIES = EVENT_TYPES.flatMap((type) => PAYLOAD_PROFILES.map((profile) => ({ type, profile })));
