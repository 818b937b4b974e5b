/**
 * A field reference (path, type, required, default, constraints, description) generated from a zod schema, for the
 * docs of a document people write (docs/trust-config.md; docs/guarantees.md 4.10). It reads the schema's own
 * definition (zod 4's `_zod.def`, the introspection zod documents for library authors) on the input side: a field
 * with a default is not required. Descriptions come from `.describe()` (zod's global registry). Shapes it does not
 * know are named by their zod type, never dropped.
 */
import { z } from "zod";

export interface FieldRow {
  /** `endpoints[].auth.tokenUrl`: `[]` for an array's elements. */
  field: string;
  type: string;
  /** `yes`, `no`, or with the union variant it belongs to: `yes, when type is "basic"`. */
  required: string;
  /** The default as JSON in backticks, or empty. */
  default: string;
  /** `; `-separated: bounds, patterns (or their messages), enum values, refinement messages. */
  constraints: string;
  description: string;
}

export const FIELD_REFERENCE_BEGIN = "<!-- BEGIN_FIELD_REFERENCE: generated from schemas/src/trust-config.ts by `npm run schemas:generate`; do not edit by hand -->";
export const FIELD_REFERENCE_END = "<!-- END_FIELD_REFERENCE -->";

/** The parts of a zod 4 definition read here; every other key is ignored. */
interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
  innerType?: z.ZodType;
  defaultValue?: unknown;
  in?: z.ZodType;
  getter?: () => z.ZodType;
  keyType?: z.ZodType;
  valueType?: z.ZodType;
  items?: z.ZodType[];
  entries?: Record<string, string | number>;
  values?: unknown[];
  format?: string;
  checks?: { _zod: { def: CheckDef } }[];
}
interface CheckDef {
  check: string;
  minimum?: number;
  maximum?: number;
  length?: number;
  value?: number | bigint;
  inclusive?: boolean;
  format?: string;
  pattern?: RegExp;
  error?: (issue?: unknown) => unknown;
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;
const describedAs = (schema: z.ZodType): string | undefined => z.globalRegistry.get(schema)?.description;

/** A field's schema without its wrappers, and what the wrappers said. */
interface Unwrapped {
  schema: z.ZodType;
  optional: boolean;
  nullable: boolean;
  default?: unknown;
  description?: string;
}

function unwrap(schema: z.ZodType): Unwrapped {
  const out: Unwrapped = { schema, optional: false, nullable: false };
  for (;;) {
    out.description ??= describedAs(out.schema);
    const def = defOf(out.schema);
    if (def.type === "optional") out.optional = true;
    else if (def.type === "nullable") out.nullable = true;
    else if ((def.type === "default" || def.type === "prefault") && !("default" in out)) out.default = def.defaultValue;
    else if (!["readonly", "catch", "nonoptional", "pipe", "lazy", "default", "prefault"].includes(def.type)) return out;
    const next = def.type === "pipe" ? def.in : def.type === "lazy" ? def.getter?.() : def.innerType;
    if (!next) return out;
    out.schema = next;
  }
}

const json = (value: unknown): string => (value instanceof RegExp ? value.source : JSON.stringify(value));
const messageOf = (check: CheckDef): string | undefined => {
  try {
    const message = check.error?.();
    if (typeof message === "string") return message;
    if (message && typeof message === "object" && typeof (message as { message?: unknown }).message === "string") return (message as { message: string }).message;
  } catch {
    // a message function that needs the issue: no fixed message to show
  }
  return undefined;
};

const isObject = (schema: z.ZodType): boolean => defOf(unwrap(schema).schema).type === "object";

/** The type column of a bare (unwrapped) schema. */
function typeName(schema: z.ZodType): string {
  const def = defOf(schema);
  switch (def.type) {
    case "string":
      if (def.format === "url") return "URL";
      return def.format && def.format !== "regex" ? `string (${def.format})` : "string";
    case "number":
      return def.format && /int/.test(def.format) ? "integer" : "number";
    case "literal":
      return (def.values ?? []).map(json).join(" | ");
    case "array":
      return `${def.element ? fieldType(def.element) : "unknown"}[]`;
    case "union":
      if (def.discriminator && (def.options ?? []).every(isObject)) return `object (by \`${def.discriminator}\`)`;
      return (def.options ?? []).map(fieldType).join(" | ");
    case "record":
      return `map of ${def.keyType ? fieldType(def.keyType) : "string"} to ${def.valueType ? fieldType(def.valueType) : "unknown"}`;
    case "tuple":
      return `[${(def.items ?? []).map(fieldType).join(", ")}]`;
    default:
      return def.type; // object, boolean, enum, bigint, date, null, any, unknown, ...
  }
}

function fieldType(schema: z.ZodType): string {
  const { schema: bare, nullable } = unwrap(schema);
  return nullable ? `${typeName(bare)} or null` : typeName(bare);
}

const range = (min: number | undefined, max: number | undefined, unit: string): string | undefined => {
  const units = (n: number) => (unit ? ` ${n === 1 ? unit : `${unit}s`}` : "");
  if (min !== undefined && max !== undefined) return min === max ? `exactly ${min}${units(min)}` : `${min}–${max}${units(max)}`;
  if (min !== undefined) return unit ? `at least ${min}${units(min)}` : `≥ ${min}`;
  if (max !== undefined) return unit ? `at most ${max}${units(max)}` : `≤ ${max}`;
  return undefined;
};

/** The constraints of a bare schema: bounds, formats, refinements (in declaration order after the bounds). */
function constraintsOf(schema: z.ZodType): string[] {
  const def = defOf(schema);
  const unit = def.type === "array" ? "item" : def.type === "string" ? "character" : "";
  const found: string[] = [];
  let min: number | undefined;
  let max: number | undefined;
  for (const { _zod } of def.checks ?? []) {
    const check = _zod.def;
    const message = messageOf(check);
    if (check.check === "min_length" || check.check === "min_size") min = check.minimum;
    else if (check.check === "max_length" || check.check === "max_size") max = check.maximum;
    else if (check.check === "length_equals" || check.check === "size_equals") min = max = check.length;
    else if (check.check === "greater_than" && check.inclusive) min = Number(check.value);
    else if (check.check === "less_than" && check.inclusive) max = Number(check.value);
    else if (check.check === "greater_than" || check.check === "less_than") found.push(`${check.check === "greater_than" ? ">" : "<"} ${check.value}`);
    else if (check.check === "string_format" && check.format === "regex") found.push(message ?? `matches \`${check.pattern?.source}\``);
    else if (check.check === "custom") found.push(message ?? "custom check");
    // `.trim()` and friends are transforms zod files as checks: they change the value, they constrain nothing.
    else if (check.check === "overwrite") continue;
    else found.push(message ?? check.format ?? check.check);
  }
  const bounds = range(min, max, unit);
  if (def.type === "enum") found.unshift(`one of ${Object.values(def.entries ?? {}).map((v) => `\`${v}\``).join(", ")}`);
  if (def.type === "array" && def.element) {
    const each = constraintsOf(unwrap(def.element).schema);
    if (each.length > 0 && !isObject(def.element)) found.unshift(`each ${each.join(", ")}`);
  }
  return bounds ? [bounds, ...found] : found;
}

/** The rows of every field of an object schema (recursively), in declaration order. */
export function fieldRows(schema: z.ZodType): FieldRow[] {
  return childRows(unwrap(schema).schema, "");
}

/** The rows below a bare schema at `path` (its fields, its elements' fields, its variants' fields). */
function childRows(bare: z.ZodType, path: string): FieldRow[] {
  const def = defOf(bare);
  if (def.type === "object") {
    return Object.entries(def.shape ?? {}).flatMap(([key, field]) => fieldAndBelow(field, path ? `${path}.${key}` : key));
  }
  if (def.type === "array" && def.element) return childRows(unwrap(def.element).schema, `${path}[]`);
  if (def.type === "union") return variantRows(def, path);
  return [];
}

function fieldAndBelow(field: z.ZodType, path: string): FieldRow[] {
  const unwrapped = unwrap(field);
  const row: FieldRow = {
    field: path,
    type: fieldType(field),
    required: unwrapped.optional || "default" in unwrapped ? "no" : "yes",
    default: "default" in unwrapped ? `\`${json(unwrapped.default)}\`` : "",
    constraints: constraintsOf(unwrapped.schema).join("; "),
    description: unwrapped.description ?? "",
  };
  return [row, ...childRows(unwrapped.schema, path)];
}

/**
 * A union's object variants: a field every variant has alike is one row; one that differs or only some have is a
 * row per variant, its `required` naming the variant (by the discriminator's value, or its position).
 */
function variantRows(def: Def, path: string): FieldRow[] {
  const variants = (def.options ?? []).filter(isObject);
  const labelOf = (variant: z.ZodType, index: number): string => {
    const tag = def.discriminator ? defOf(unwrap(variant).schema).shape?.[def.discriminator] : undefined;
    const values = tag ? defOf(unwrap(tag).schema).values : undefined;
    return def.discriminator && values ? `${def.discriminator} is ${values.map(json).join(" or ")}` : `it is variant ${index + 1}`;
  };
  const perVariant = variants.map((variant, index) => ({ label: labelOf(variant, index), rows: childRows(unwrap(variant).schema, path) }));
  const discriminatorPath = def.discriminator ? `${path}.${def.discriminator}` : undefined;
  const merged: { row: FieldRow; labels: string[] }[] = [];
  for (const { label, rows } of perVariant) {
    for (const row of rows) {
      if (row.field === discriminatorPath) {
        const first = merged.find((m) => m.row.field === row.field);
        if (first) first.row = { ...first.row, type: `${first.row.type} | ${row.type}` };
        else merged.push({ row, labels: perVariant.map((v) => v.label) });
        continue;
      }
      const same = merged.find((m) => JSON.stringify(m.row) === JSON.stringify(row));
      if (same) same.labels.push(label);
      else merged.push({ row, labels: [label] });
    }
  }
  return merged.map(({ row, labels }) => {
    if (labels.length === perVariant.length) return row;
    const when = labels.join(", or ");
    return { ...row, required: row.required === "yes" ? `yes, when ${when}` : `no; only when ${when}` };
  });
}

const cell = (text: string): string => text.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");

/** The reference as a Markdown table (no trailing newline). */
export function renderFieldReference(schema: z.ZodType): string {
  const rows = fieldRows(schema).map((r) => `| \`${cell(r.field)}\` | ${[r.type, r.required, r.default, r.constraints, r.description].map(cell).join(" | ")} |`);
  return ["| field | type | required | default | constraints | description |", "| --- | --- | --- | --- | --- | --- |", ...rows].join("\n");
}

/** `doc` with the text between its reference markers replaced by `reference`; the prose around it is kept as it is. */
export function withFieldReference(doc: string, reference: string): string {
  const begin = doc.indexOf(FIELD_REFERENCE_BEGIN);
  const end = doc.indexOf(FIELD_REFERENCE_END);
  if (begin < 0 || end < begin || doc.indexOf(FIELD_REFERENCE_BEGIN, begin + 1) >= 0 || doc.indexOf(FIELD_REFERENCE_END, end + 1) >= 0) {
    throw new Error(`expected the markers ${FIELD_REFERENCE_BEGIN} and ${FIELD_REFERENCE_END}, once each and in that order`);
  }
  return `${doc.slice(0, begin)}${FIELD_REFERENCE_BEGIN}\n${reference}\n${doc.slice(end)}`;
}
