/**
 * Writes docs/webhooks/signature-vectors.json: Standard Webhooks signature test vectors for receivers in any
 * language, made with the service's own signer (`canonicalJson`, `signCanonical`) from fixed inputs, so the
 * file is the same on every run. `npm run vectors`; signature-vectors.test.ts fails while it is stale and
 * checks every vector against scripts/lib/verify-webhook.ts and the Python example.
 */
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Endpoint, PlatformEvent, signingKeyOf, type BuiltCallbackCloudEvent, type SigningSecret } from "@trust-callbacks/schemas";
import {
  buildCloudEvent,
  canonicalJson,
  cloudEventTime,
  minimalEventData,
  signCanonical,
  signingKeysAt,
} from "@trust-callbacks/transform-filter";

export const VECTORS_FILE = fileURLToPath(new URL("../../docs/webhooks/signature-vectors.json", import.meta.url));

/** A fixed `whsec_` key: 32 bytes of SHA-256 of a label, so nothing in the file is random. */
const secretFor = (label: string): string => signingKeyOf(createHash("sha256").update(`trust-callbacks signature vectors: ${label}`).digest());

const SECRETS = {
  endpoint: secretFor("endpoint key"),
  rotatedOld: secretFor("rotation: old key"),
  rotatedNew: secretFor("rotation: new key"),
  unrelated: secretFor("someone else's key"),
};

/** When every vector was signed, and the clock a receiver should verify with (the default tolerance accepts). */
const SIGNED_AT = new Date("2026-11-22T09:30:05Z");
const VERIFY_AT = SIGNED_AT.getTime() / 1000 + 90;

/**
 * The endpoint's signing secret as the rotation command leaves it (the new key first, the old one until the overlap
 * ends), signed during the overlap and after it. The keys each vector is signed with are what the service's signer
 * takes from the secret at SIGNED_AT (`signingKeysAt`).
 */
const rotationSecret = (overlapEnds: string): SigningSecret => ({
  version: 1,
  keys: [
    { key: SECRETS.rotatedNew, createdAt: "2026-11-21T09:00:00Z" },
    { key: SECRETS.rotatedOld, createdAt: "2026-01-05T12:00:00Z", notAfter: overlapEnds },
  ],
});
const DURING_OVERLAP = [...signingKeysAt(rotationSecret("2026-11-22T09:40:00Z"), SIGNED_AT)];
const AFTER_OVERLAP = [...signingKeysAt(rotationSecret("2026-11-22T09:30:00Z"), SIGNED_AT)];

/** How a re-serializing hop (EventBridge) might write the same JSON: other key order, whitespace and escapes. */
interface WireStyle {
  /** Key order: reversed, or rotated by the key count's half (deterministic, just not sorted). */
  order: "reverse" | "rotate";
  /** Indentation per level; "" for one line. */
  indent: string;
  /** Whitespace after `:` and `,` on one line. */
  gap: string;
  /** Write every non-ASCII character as `\uXXXX` (upper-case hex; surrogate pairs above U+FFFF). */
  asciiOnly: boolean;
  /** Write `/` as `\/`, which JSON allows. */
  escapeSolidus: boolean;
}

const hex4 = (code: number) => code.toString(16).toUpperCase().padStart(4, "0");
const SHORT_ESCAPES: Record<string, string> = { '"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function wireString(text: string, style: WireStyle): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    const code = text.charCodeAt(i); // UTF-16 code units, so characters above U+FFFF come out as surrogate pairs
    if (SHORT_ESCAPES[char]) out += SHORT_ESCAPES[char];
    else if (code < 0x20 || (style.asciiOnly && code > 0x7e)) out += `\\u${hex4(code)}`;
    else if (char === "/" && style.escapeSolidus) out += "\\/";
    else out += char;
  }
  return out + '"';
}

function wireJson(value: unknown, style: WireStyle, depth = 0): string {
  const newline = style.indent ? `\n${style.indent.repeat(depth + 1)}` : "";
  const close = style.indent ? `\n${style.indent.repeat(depth)}` : "";
  const separator = style.indent ? "," : `,${style.gap}`;
  if (typeof value === "string") return wireString(value, style);
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[${newline}${value.map((item) => wireJson(item, style, depth + 1)).join(separator + newline)}${close}]`;
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return "{}";
  const ordered = style.order === "reverse" ? [...keys].reverse() : [...keys.slice(keys.length >> 1), ...keys.slice(0, keys.length >> 1)];
  const members = ordered.map((key) => `${wireString(key, style)}:${style.gap || (style.indent ? " " : "")}${wireJson((value as Record<string, unknown>)[key], style, depth + 1)}`);
  return `{${newline}${members.join(separator + newline)}${close}}`;
}

const endpoint = (payloadProfile: "full" | "minimal") =>
  Endpoint.parse({
    id: payloadProfile === "full" ? "ehr" : "bleep",
    url: "https://integration.rx1.example.nhs.uk/trust-callbacks",
    eventTypes: ["conversation.created", "message.created", "message.read", "response.sent", "conversation.closed"],
    payloadProfile,
    auth: { type: "api_key", headerName: "x-api-key", credentialsSecret: "trust-callbacks/prod/credentials/RX1/ehr" },
    signingSecret: "trust-callbacks/prod/signing/RX1/ehr",
  });

/** A webhook body exactly as the Lambda builds it, from a platform event with its fields already in clear. */
function webhookBody(raw: Record<string, unknown>, profile: "full" | "minimal", undecryptable: string[] = []): BuiltCallbackCloudEvent {
  const event = PlatformEvent.parse(raw);
  const data = profile === "full" ? structuredClone(event.data) as Record<string, unknown> : minimalEventData(event);
  // As decryptEventData does: a field that could not be opened is delivered as null (paths here are data.a.b).
  for (const path of undecryptable) {
    const keys = path.split(".").slice(1);
    const parent = keys.slice(0, -1).reduce((object, key) => object[key] as Record<string, unknown>, data);
    parent[keys.at(-1)!] = null;
  }
  const cloudEvent = buildCloudEvent({
    event,
    time: cloudEventTime(event),
    endpoint: endpoint(profile),
    data,
    undecryptableFields: undecryptable,
    source: "/trust-callbacks/prod",
  });
  // The JSON value that is delivered (the SDK's object has attributes set to undefined, which JSON drops).
  return JSON.parse(canonicalJson(cloudEvent)) as BuiltCallbackCloudEvent;
}

const common = { trustId: "RX1", conversationId: "conv-7f3a", correlationId: "corr-19ab", attributes: { site: "MAIN", priority: "urgent" } };
const BODIES = {
  messageCreated: webhookBody({
    ...common,
    eventId: "0f8fad5b-d9cb-469f-a165-70867728950e",
    type: "message.created",
    occurredAt: "2026-11-22T09:30:00Z",
    data: {
      messageId: "msg-1",
      sender: { userId: "user-17", displayName: "Dr Zoë Ó Briain" },
      text: 'Temp 38.5°C — "review" in bay 4/5\nNEWS2 ≥ 5 🩺\tœdème?',
    },
  }, "full"),
  responseSent: webhookBody({
    ...common,
    eventId: "7c9e6679-7425-40de-944b-e07fc1f90ae7",
    type: "response.sent",
    occurredAt: "2026-11-22T09:31:12.5+01:00",
    data: {
      messageId: "msg-2",
      inReplyToMessageId: "msg-1",
      responder: { userId: "user-4", displayName: "Nurse Siân Ng" },
      text: "Diolch — on my way 👍🏽 (ETA 10′) \\ back\\slash",
    },
  }, "full"),
  conversationCreatedMinimal: webhookBody({
    ...common,
    eventId: "1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b",
    type: "conversation.created",
    occurredAt: "2026-11-22T09:29:00Z",
    attributes: { site: "MAIN", priority: "emergency", specialty: "cardiology" },
    data: {
      createdBy: { userId: "user-17", displayName: "Dr Zoë Ó Briain" },
      participants: [
        { userId: "user-4", displayName: "Nurse Siân Ng" },
        { userId: "user-9", displayName: "Mr Ōta 太郎" },
      ],
      topic: "Bed 4 — deteriorating",
    },
  }, "minimal"),
  messageReadUndecryptable: webhookBody({
    ...common,
    eventId: "6fa459ea-ee8a-4ca4-894e-db77e160355e",
    type: "message.read",
    occurredAt: "2026-11-22T09:32:00Z",
    data: { messageId: "msg-1", reader: { userId: "user-4", displayName: "(sealed for another trust)" } },
  }, "full", ["data.reader.displayName"]),
  conversationClosed: webhookBody({
    ...common,
    eventId: "16fd2706-8baf-433b-82eb-8c7fada847da",
    type: "conversation.closed",
    occurredAt: "2026-11-22T09:40:00Z",
    data: { closedBy: { userId: "user-17", displayName: "Dr Zoë Ó Briain" }, reason: "resolved" },
  }, "full"),
};

const STYLES = {
  prettyAscii: { order: "reverse", indent: "  ", gap: "", asciiOnly: true, escapeSolidus: true },
  spacedUtf8: { order: "rotate", indent: "", gap: " ", asciiOnly: false, escapeSolidus: false },
  compactRotated: { order: "rotate", indent: "", gap: "", asciiOnly: false, escapeSolidus: true },
  tabs: { order: "reverse", indent: "\t", gap: "", asciiOnly: false, escapeSolidus: false },
} satisfies Record<string, WireStyle>;

export interface SignatureVector {
  name: string;
  description: string;
  /** The key the receiver holds. */
  secret: string;
  headers: { "webhook-id"?: string; "webhook-timestamp": string; "webhook-signature"?: string };
  /** The request body as received (re-serialized: not the canonical form). */
  body: string;
  /** RFC 8785 canonical JSON of the body. */
  canonical: string;
  /** `${webhook-id}.${webhook-timestamp}.${canonical}`: what is HMAC-SHA256'd (UTF-8). */
  signedContent: string | null;
  /** What a receiver holding `secret` computes; the delivery is valid when the header carries it. */
  expectedSignature: string | null;
  valid: boolean;
}

interface Case {
  name: string;
  description: string;
  body: BuiltCallbackCloudEvent;
  style: WireStyle;
  /** Keys the sender signed with (one `v1,` entry each, in this order). */
  signedWith: string[];
  receiverSecret: string;
  valid: boolean;
  /** Changes to the delivery after signing: the body on the wire, or the headers. */
  tamper?: (wire: { body: string; headers: SignatureVector["headers"] }) => void;
}

const CASES: Case[] = [
  {
    name: "valid/message.created-full-pretty-ascii-escaped",
    description: "Pretty-printed, keys reversed, every non-ASCII character (and `/`) escaped: canonical form has them raw.",
    body: BODIES.messageCreated, style: STYLES.prettyAscii, signedWith: [SECRETS.endpoint], receiverSecret: SECRETS.endpoint, valid: true,
  },
  {
    name: "valid/response.sent-full-spaced-utf8",
    description: "One line with spaces, keys rotated, raw UTF-8 (emoji with a skin-tone modifier: characters above U+FFFF).",
    body: BODIES.responseSent, style: STYLES.spacedUtf8, signedWith: [SECRETS.endpoint], receiverSecret: SECRETS.endpoint, valid: true,
  },
  {
    name: "valid/conversation.created-minimal-compact",
    description: "The minimal profile (no names, no topic), compact with keys rotated.",
    body: BODIES.conversationCreatedMinimal, style: STYLES.compactRotated, signedWith: [SECRETS.endpoint], receiverSecret: SECRETS.endpoint, valid: true,
  },
  {
    name: "valid/message.read-full-undecryptable-tabs",
    description: "A field that could not be decrypted: null, and listed in data.undecryptableFields. Tab-indented.",
    body: BODIES.messageReadUndecryptable, style: STYLES.tabs, signedWith: [SECRETS.endpoint], receiverSecret: SECRETS.endpoint, valid: true,
  },
  {
    name: "valid/key-rotation-receiver-holds-old-key",
    description: "During a key rotation's overlap the header carries two signatures, `v1,<new> v1,<old>`; a receiver still on the old key accepts.",
    body: BODIES.conversationClosed, style: STYLES.spacedUtf8, signedWith: DURING_OVERLAP, receiverSecret: SECRETS.rotatedOld, valid: true,
  },
  {
    name: "valid/key-rotation-receiver-holds-new-key",
    description: "The same delivery; a receiver already on the new key (the second key of the rotation) accepts too.",
    body: BODIES.conversationClosed, style: STYLES.spacedUtf8, signedWith: DURING_OVERLAP, receiverSecret: SECRETS.rotatedNew, valid: true,
  },
  {
    name: "invalid/key-rotation-unrelated-key",
    description: "The same two-signature delivery; a key that is neither the old nor the new one matches neither.",
    body: BODIES.conversationClosed, style: STYLES.spacedUtf8, signedWith: DURING_OVERLAP, receiverSecret: SECRETS.unrelated, valid: false,
  },
  {
    name: "valid/key-rotation-ended-receiver-holds-new-key",
    description: "Signed after the rotation's overlap ended: one signature, made with the new key only.",
    body: BODIES.responseSent, style: STYLES.tabs, signedWith: AFTER_OVERLAP, receiverSecret: SECRETS.rotatedNew, valid: true,
  },
  {
    name: "invalid/key-rotation-ended-receiver-holds-old-key",
    description: "The same delivery; a receiver that never switched to the new key no longer verifies.",
    body: BODIES.responseSent, style: STYLES.tabs, signedWith: AFTER_OVERLAP, receiverSecret: SECRETS.rotatedOld, valid: false,
  },
  {
    name: "invalid/wrong-key",
    description: "Signed with the endpoint's key; the receiver holds another key.",
    body: BODIES.messageCreated, style: STYLES.compactRotated, signedWith: [SECRETS.endpoint], receiverSecret: SECRETS.unrelated, valid: false,
  },
  {
    name: "invalid/tampered-body",
    description: "One character of data.text changed after signing (`bay 4` became `bay 5`).",
    body: BODIES.messageCreated, style: STYLES.prettyAscii, signedWith: [SECRETS.endpoint], receiverSecret: SECRETS.endpoint, valid: false,
    tamper: (wire) => { wire.body = wire.body.replace("bay 4", "bay 5"); },
  },
  {
    name: "invalid/tampered-webhook-id",
    description: "The webhook-id header changed after signing: the id is part of the signed content.",
    body: BODIES.messageCreated, style: STYLES.compactRotated, signedWith: [SECRETS.endpoint], receiverSecret: SECRETS.endpoint, valid: false,
    tamper: (wire) => { wire.headers["webhook-id"] = wire.headers["webhook-id"]!.replace(/.$/, (c) => (c === "0" ? "1" : "0")); },
  },
  {
    name: "invalid/tampered-webhook-timestamp",
    description: "The webhook-timestamp header moved one second after signing (still within tolerance): the timestamp is signed.",
    body: BODIES.messageCreated, style: STYLES.compactRotated, signedWith: [SECRETS.endpoint], receiverSecret: SECRETS.endpoint, valid: false,
    tamper: (wire) => { wire.headers["webhook-timestamp"] = String(Number(wire.headers["webhook-timestamp"]) + 1); },
  },
  {
    name: "invalid/malformed-signature-without-version",
    description: "The right signature without its `v1,` prefix: a malformed header, rejected.",
    body: BODIES.responseSent, style: STYLES.spacedUtf8, signedWith: [SECRETS.endpoint], receiverSecret: SECRETS.endpoint, valid: false,
    tamper: (wire) => { wire.headers["webhook-signature"] = wire.headers["webhook-signature"]!.replace(/^v1,/, ""); },
  },
  {
    name: "invalid/malformed-signature-other-version",
    description: "The right HMAC labelled `v1a,` (the Standard Webhooks label of asymmetric signatures): only `v1,` is HMAC-SHA256.",
    body: BODIES.responseSent, style: STYLES.spacedUtf8, signedWith: [SECRETS.endpoint], receiverSecret: SECRETS.endpoint, valid: false,
    tamper: (wire) => { wire.headers["webhook-signature"] = wire.headers["webhook-signature"]!.replace(/^v1,/, "v1a,"); },
  },
  {
    name: "invalid/missing-signature-header",
    description: "No webhook-signature header at all.",
    body: BODIES.messageCreated, style: STYLES.compactRotated, signedWith: [SECRETS.endpoint], receiverSecret: SECRETS.endpoint, valid: false,
    tamper: (wire) => { delete wire.headers["webhook-signature"]; },
  },
];

function makeVector(c: Case): SignatureVector {
  const canonicalSent = canonicalJson(c.body);
  const signatures = c.signedWith.map((key) => signCanonical(c.body.id, canonicalSent, key, SIGNED_AT));
  const wire = {
    body: wireJson(c.body, c.style),
    headers: { "webhook-id": c.body.id, "webhook-timestamp": signatures[0]!.timestamp, "webhook-signature": signatures.map((s) => s.signature).join(" ") } as SignatureVector["headers"],
  };
  if (wire.body === canonicalSent) throw new Error(`${c.name}: the wire body must differ from the canonical form`);
  c.tamper?.(wire);
  const canonical = canonicalJson(JSON.parse(wire.body));
  const id = wire.headers["webhook-id"];
  const expected = id ? signCanonical(id, canonical, c.receiverSecret, new Date(Number(wire.headers["webhook-timestamp"]) * 1000)) : undefined;
  return {
    name: c.name,
    description: c.description,
    secret: c.receiverSecret,
    headers: wire.headers,
    body: wire.body,
    canonical,
    signedContent: id ? `${id}.${wire.headers["webhook-timestamp"]}.${canonical}` : null,
    expectedSignature: expected?.signature ?? null,
    valid: c.valid,
  };
}

/** The vectors file's text. */
export function renderSignatureVectors(): string {
  const document = {
    description:
      "trust-callbacks webhook signature test vectors. Standard Webhooks: signedContent = webhook-id + '.' + webhook-timestamp + '.' + " +
      "RFC 8785 canonical JSON of the body; signature = 'v1,' + base64(HMAC-SHA256(base64decode(secret without 'whsec_'), UTF-8 signedContent)); " +
      "valid when any space-separated entry of webhook-signature equals it. Verify with the clock at verifyAt (unix seconds). " +
      "Generated by `npm run vectors` (scripts/build/signature-vectors.ts) with the service's own signer.",
    verifyAt: VERIFY_AT,
    vectors: CASES.map(makeVector),
  };
  return JSON.stringify(document, null, 2) + "\n";
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(VECTORS_FILE, renderSignatureVectors());
  console.log("wrote docs/webhooks/signature-vectors.json");
}
