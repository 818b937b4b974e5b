// docs/guarantees.md 4.10: the trust config's field reference is generated from the zod schema, whatever shapes it
// holds, and a test fails while the committed one is stale.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { FIELD_REFERENCE_BEGIN, FIELD_REFERENCE_END, fieldRows, renderFieldReference, withFieldReference, type FieldRow } from "./field-reference.ts";
import { TrustConfig } from "./trust-config.ts";

const TRUST_CONFIG_DOC = new URL("../../docs/trust-config.md", import.meta.url);

/** A row with the columns a case does not care about left empty. */
const row = (field: string, type: string, more: Partial<FieldRow> = {}): FieldRow => ({ field, type, required: "yes", default: "", constraints: "", description: "", ...more });

describe("the field reference of a zod schema", () => {
  it.each<[string, z.ZodType, FieldRow[]]>([
    ["a required string with bounds and a description", z.object({ name: z.string().min(1).max(200).describe("Shown to people") }), [row("name", "string", { constraints: "1–200 characters", description: "Shown to people" })]],
    ["an optional field described inside", z.object({ note: z.string().describe("A note").optional() }), [row("note", "string", { required: "no", description: "A note" })]],
    ["an optional field described outside", z.object({ note: z.string().optional().describe("A note") }), [row("note", "string", { required: "no", description: "A note" })]],
    ["a default", z.object({ rate: z.int().min(1).max(300).default(10) }), [row("rate", "integer", { required: "no", default: "`10`", constraints: "1–300" })]],
    ["an object default", z.object({ when: z.object({ at: z.string().optional() }).default({}) }), [row("when", "object", { required: "no", default: "`{}`" }), row("when.at", "string", { required: "no" })]],
    ["a one-sided bound", z.object({ n: z.number().min(0), s: z.string().max(8) }), [row("n", "number", { constraints: "≥ 0" }), row("s", "string", { constraints: "at most 8 characters" })]],
    ["a boolean", z.object({ on: z.boolean() }), [row("on", "boolean")]],
    [
      "an array of objects",
      z.object({ items: z.array(z.object({ id: z.string().describe("Stable id") })).max(20) }),
      [row("items", "object[]", { constraints: "at most 20 items" }), row("items[].id", "string", { description: "Stable id" })],
    ],
    [
      "an array of an enum with a refinement that has a message",
      z.object({ kinds: z.array(z.enum(["a", "b"])).min(1).refine((kinds) => new Set(kinds).size === kinds.length, "must not repeat a kind") }),
      [row("kinds", "enum[]", { constraints: "at least 1 item; each one of `a`, `b`; must not repeat a kind" })],
    ],
    ["an enum", z.object({ profile: z.enum(["full", "minimal"]) }), [row("profile", "enum", { constraints: "one of `full`, `minimal`" })]],
    ["a regex with a message", z.object({ id: z.string().regex(/^[a-z]+$/, "must be lower-case letters") }), [row("id", "string", { constraints: "must be lower-case letters" })]],
    ["a regex without one", z.object({ id: z.string().regex(/^[a-z]+|[0-9]+$/) }), [row("id", "string", { constraints: "matches `^[a-z]+|[0-9]+$`" })]],
    ["a URL with a refinement that has no message", z.object({ url: z.url().superRefine(() => undefined) }), [row("url", "URL", { constraints: "custom check" })]],
    ["a union of scalars", z.object({ v: z.union([z.string(), z.int()]) }), [row("v", "string | integer")]],
    ["a nullable field", z.object({ v: z.string().nullable() }), [row("v", "string or null")]],
    ["a record", z.object({ tags: z.record(z.string(), z.int()) }), [row("tags", "map of string to integer")]],
    [
      "a discriminated union of objects: shared fields once, the others with the variant they belong to",
      z.object({
        auth: z.discriminatedUnion("type", [
          z.strictObject({ type: z.literal("oauth"), tokenUrl: z.url(), secret: z.string().describe("Secret name") }),
          z.strictObject({ type: z.literal("key"), header: z.string().optional(), secret: z.string().describe("Secret name") }),
        ]),
      }),
      [
        row("auth", "object (by `type`)"),
        row("auth.type", '"oauth" | "key"'),
        row("auth.tokenUrl", "URL", { required: 'yes, when type is "oauth"' }),
        row("auth.secret", "string", { description: "Secret name" }),
        row("auth.header", "string", { required: 'no; only when type is "key"' }),
      ],
    ],
    [
      "refinements of the whole object are not a field",
      z.object({ a: z.string() }).superRefine(() => undefined),
      [row("a", "string")],
    ],
  ])("%s", (_case, schema, rows) => {
    expect(fieldRows(schema)).toEqual(rows);
  });

  it("renders one table row per field, a | inside a cell escaped", () => {
    const table = renderFieldReference(z.object({ v: z.union([z.string(), z.int()]).describe("either") }));
    expect(table.split("\n")).toEqual([
      "| field | type | required | default | constraints | description |",
      "| --- | --- | --- | --- | --- | --- |",
      "| `v` | string \\| integer | yes |  |  | either |",
    ]);
  });
});

describe("docs/trust-config.md", () => {
  const doc = readFileSync(TRUST_CONFIG_DOC, "utf8");

  it("holds the generated field reference of TrustConfig, up to date (npm run schemas:generate)", () => {
    expect(doc.split(FIELD_REFERENCE_BEGIN)).toHaveLength(2);
    expect(doc.split(FIELD_REFERENCE_END)).toHaveLength(2);
    expect(doc, "docs/trust-config.md is stale: npm run schemas:generate").toBe(withFieldReference(doc, renderFieldReference(TrustConfig)));
  });

  it("would be stale after a change of the schema, and only its generated block is rewritten", () => {
    const changed = TrustConfig.extend({ extra: z.string().describe("a field added later") });
    const rewritten = withFieldReference(doc, renderFieldReference(changed));
    expect(rewritten).not.toBe(doc);
    expect(rewritten).toContain("| `extra` | string | yes |  |  | a field added later |");
    const outside = (text: string) => [text.split(FIELD_REFERENCE_BEGIN)[0], text.split(FIELD_REFERENCE_END)[1]];
    expect(outside(rewritten)).toEqual(outside(doc));
  });

  it("a document without the markers is refused, not silently left as it is", () => {
    expect(() => withFieldReference("# Trust config files\n", "| table |")).toThrow(/markers/);
  });
});
