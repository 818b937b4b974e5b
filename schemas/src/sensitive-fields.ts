import { SENSITIVE_FIELDS, type EventType, type PlatformEvent } from "./events.ts";

/** SENSITIVE_FIELDS split into segments once, not on every event. */
const SENSITIVE_SEGMENTS = Object.fromEntries(
  Object.entries(SENSITIVE_FIELDS).map(([type, paths]) => [type, paths.map((path) => path.split("."))]),
) as Record<EventType, string[][]>;

/**
 * Rewrites the sensitive fields of an event's `data` (SENSITIVE_FIELDS) with `replace`, copying only
 * the objects on the way so the input stays untouched. `replace` returning undefined removes the field.
 * Paths reported to `replace` read like `data.participants[2].displayName`.
 */
export function mapSensitiveFields(
  event: PlatformEvent,
  replace: (value: unknown, path: string) => unknown,
): Record<string, unknown> {
  let data = event.data as Record<string, unknown>;
  for (const segments of SENSITIVE_SEGMENTS[event.type]) {
    data = mapAt(data, segments, "data", replace) as Record<string, unknown>;
  }
  return data;
}

function mapAt(
  node: unknown,
  segments: string[],
  path: string,
  replace: (value: unknown, path: string) => unknown,
): unknown {
  if (segments.length === 0) return replace(node, path);
  const head = segments[0]!;
  const rest = segments.slice(1);
  if (node === null || typeof node !== "object") return node;
  const isArray = head.endsWith("[]");
  const key = isArray ? head.slice(0, -2) : head;
  const object = node as Record<string, unknown>;
  if (!Object.hasOwn(object, key)) return node;
  const child = object[key];
  let next: unknown;
  if (isArray) {
    if (!Array.isArray(child)) return node;
    next = child.map((item, index) => mapAt(item, rest, `${path}.${key}[${index}]`, replace));
  } else {
    next = mapAt(child, rest, `${path}.${key}`, replace);
  }
  const copy = { ...object };
  if (next === undefined) delete copy[key];
  else copy[key] = next;
  return copy;
}
