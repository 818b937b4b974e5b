import { dataKeyEncryptionContext, sealEventFields, type PlatformEvent, type TrustConfig } from "@trust-callbacks/schemas";
import type { LocalKeyProvider } from "@trust-callbacks/transform-filter/local";

/** mulberry32: a small seeded PRNG, so a seed reproduces a run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = ["Ada", "Sam", "Priya", "Tomasz", "Grace", "Kwame", "Mei", "Owen", "Fatima", "Niamh"];
const LAST = ["Okafor", "Smith", "Patel", "Nowak", "Hughes", "Mensah", "Chen", "Jones", "Rahman", "Byrne"];
const ROLES = ["Dr", "Nurse", "Sister", "Mr", "Ms"];
const TEXTS = [
  "Bed 12 obs stable, NEWS2 now 3. Please review before the ward round.",
  "Bloods back: Hb 98, CRP 45. Can you confirm the plan for antibiotics?",
  "Family asking for an update; patient comfortable, pain controlled.",
  "Transfer to ward 7 approved, porter booked for 14:30.",
  "ECG shows new AF, rate 130. Need senior review please.",
  "Discharge letter drafted, awaiting pharmacy for TTOs.",
];
const SITES = ["MAIN", "ANNEX", "COMMUNITY"];
const PRIORITIES = ["routine", "urgent", "emergency"] as const;

export interface GeneratorOptions {
  trusts: TrustConfig[];
  seed: number;
  keyProvider: LocalKeyProvider;
  /** A new data key per trust every this many events, as the platform rotates them. */
  eventsPerDataKey?: number;
  start?: Date;
}

/**
 * Realistic conversation traffic for the given trusts: conversations open, messages flow, get read
 * and answered, conversations close. Message text and names are encrypted exactly as the platform does.
 */
export function* generateEvents(options: GeneratorOptions): Generator<PlatformEvent> {
  const random = seededRandom(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const uuid = () => {
    const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${"89ab"[Math.floor(random() * 4)]}${hex.slice(17, 20)}-${hex.slice(20)}`;
  };
  const person = () => ({ userId: `user-${Math.floor(random() * 5000)}`, displayName: `${pick(ROLES)} ${pick(FIRST)} ${pick(LAST)}` });
  const keys = new Map<string, { dataKey: Buffer; wrappedKey: string; uses: number }>();
  const seal = (event: PlatformEvent): PlatformEvent => {
    let key = keys.get(event.trustId);
    if (!key || key.uses >= (options.eventsPerDataKey ?? 500)) {
      key = { ...options.keyProvider.generateDataKey(dataKeyEncryptionContext(event.trustId)), uses: 0 };
      keys.set(event.trustId, key);
    }
    key.uses += 1;
    return sealEventFields(event, key.dataKey, key.wrappedKey);
  };

  type Open = { trustId: string; conversationId: string; site: string; priority: (typeof PRIORITIES)[number]; messages: string[] };
  const open: Open[] = [];
  let clock = (options.start ?? new Date("2026-11-22T09:00:00Z")).getTime();
  for (;;) {
    clock += Math.floor(random() * 2000);
    const occurredAt = new Date(clock).toISOString();
    const base = (conversation: Open) => ({
      eventId: uuid(),
      occurredAt,
      trustId: conversation.trustId,
      conversationId: conversation.conversationId,
      correlationId: `corr-${uuid().slice(0, 8)}`,
      attributes: { site: conversation.site, priority: conversation.priority },
    });
    const roll = random();
    if (open.length < 3 || roll < 0.1) {
      const conversation: Open = {
        trustId: pick(options.trusts).trustId,
        conversationId: `conv-${uuid().slice(0, 13)}`,
        site: pick(SITES),
        priority: pick(PRIORITIES),
        messages: [],
      };
      open.push(conversation);
      yield seal({ ...base(conversation), type: "conversation.created", data: { createdBy: person(), participants: [person(), person()], topic: "Ward 7 handover" } });
      continue;
    }
    const conversation = pick(open);
    if (roll < 0.45 || conversation.messages.length === 0) {
      const messageId = `msg-${uuid().slice(0, 13)}`;
      conversation.messages.push(messageId);
      yield seal({ ...base(conversation), type: "message.created", data: { messageId, sender: person(), text: pick(TEXTS) } });
    } else if (roll < 0.7) {
      yield seal({ ...base(conversation), type: "message.read", data: { messageId: pick(conversation.messages), reader: person() } });
    } else if (roll < 0.9) {
      const messageId = `msg-${uuid().slice(0, 13)}`;
      const inReplyToMessageId = pick(conversation.messages);
      conversation.messages.push(messageId);
      yield seal({ ...base(conversation), type: "response.sent", data: { messageId, inReplyToMessageId, responder: person(), text: pick(TEXTS) } });
    } else {
      open.splice(open.indexOf(conversation), 1);
      yield seal({ ...base(conversation), type: "conversation.closed", data: { closedBy: person(), reason: pick(["resolved", "expired", "transferred"] as const) } });
    }
  }
}
