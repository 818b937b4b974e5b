import { SENSITIVE_FIELDS, type EventType, type PlatformEvent } from "./events.ts";

/** One step of a sensitive-field path; a node without children is the field itself. */
interface FieldNode {
  key: string;
  /** `key[]`: the step walks every item of an array. */
  array: boolean;
  children: FieldNode[];
}

/** SENSITIVE_FIELDS as one tree per event type, built once: a walk visits each object once, whatever the paths share. */
const SENSITIVE_TREES = Object.fromEntries(
  Object.entries(SENSITIVE_FIELDS).map(([type, paths]) => {
    const root: FieldNode[] = [];
    for (const path of paths) {
      let level = root;
      for (const segment of path.split(".")) {
        const array = segment.endsWith("[]");
        const key = array ? segment.slice(0, -2) : segment;
        let node = level.find((n) => n.key === key && n.array === array);
        if (!node) level.push((node = { key, array, children: [] }));
        level = node.children;
      }
    }
    return [type, root];
  }),
) as Record<EventType, FieldNode[]>;

/**
 * Rewrites the sensitive fields of an event's `data` (SENSITIVE_FIELDS) with `replace`, copying only
 * the objects on the way, each at most once, and none when nothing changes; the input stays untouched.
 * `replace` returning undefined removes the field; returning the value itself keeps it.
 * Paths reported to `replace` read like `data.participants[2].displayName`.
 */
export function mapSensitiveFields(
  event: PlatformEvent,
  replace: (value: unknown, path: string) => unknown,
): Record<string, unknown> {
  return mapObject(event.data as Record<string, unknown>, SENSITIVE_TREES[event.type], "data", replace);
}

function mapObject(
  object: Record<string, unknown>,
  nodes: FieldNode[],
  path: string,
  replace: (value: unknown, path: string) => unknown,
): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const node of nodes) {
    if (!Object.hasOwn(object, node.key)) continue;
    const child = object[node.key];
    const childPath = `${path}.${node.key}`;
    let next: unknown;
    if (node.array) {
      if (!Array.isArray(child)) continue;
      let changed = false;
      const items = child.map((item: unknown, index) => {
        const mapped = mapValue(item, node, `${childPath}[${index}]`, replace);
        if (mapped !== item) changed = true;
        return mapped;
      });
      next = changed ? items : child;
    } else {
      next = mapValue(child, node, childPath, replace);
    }
    if (next === child) continue;
    copy ??= { ...object };
    if (next === undefined) delete copy[node.key];
    else copy[node.key] = next;
  }
  return copy ?? object;
}

function mapValue(value: unknown, node: FieldNode, path: string, replace: (value: unknown, path: string) => unknown): unknown {
  if (node.children.length === 0) return replace(value, path);
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  return mapObject(value as Record<string, unknown>, node.children, path, replace);
}
