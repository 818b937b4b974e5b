import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "@trust-callbacks/transform-filter";
import { verifyWebhook } from "../lib/verify-webhook.ts";
import { VECTORS_FILE, renderSignatureVectors, type SignatureVector } from "./signature-vectors.ts";

const committed = readFileSync(VECTORS_FILE, "utf8");
const document = JSON.parse(committed) as { verifyAt: number; vectors: SignatureVector[] };

describe("signature test vectors (docs/webhooks/signature-vectors.json)", () => {
  it("are committed and the same as the script makes them (run `npm run vectors`)", () => {
    expect(committed).toBe(renderSignatureVectors());
  });

  it("cover valid deliveries, both keys of a rotation, the end of its overlap, and deliveries that must fail", () => {
    const names = document.vectors.map((v) => v.name);
    expect(names).toEqual(expect.arrayContaining([
      "valid/key-rotation-receiver-holds-old-key",
      "valid/key-rotation-receiver-holds-new-key",
      "invalid/key-rotation-unrelated-key",
      "valid/key-rotation-ended-receiver-holds-new-key",
      "invalid/key-rotation-ended-receiver-holds-old-key",
      "invalid/tampered-body",
      "invalid/wrong-key",
    ]));
    const overlap = document.vectors.filter((v) => v.name.includes("key-rotation-") && !v.name.includes("-ended-"));
    for (const vector of overlap) expect(vector.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]{43}= v1,[A-Za-z0-9+/]{43}=$/);
    const ended = document.vectors.filter((v) => v.name.includes("key-rotation-ended-"));
    for (const vector of ended) expect(vector.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
  });

  it.each(document.vectors.map((v) => [v.name, v] as const))("%s: the TypeScript verifier agrees with `valid`", (_name, vector) => {
    const verify = () => verifyWebhook(vector.secret, vector.headers, vector.body, { now: new Date(document.verifyAt * 1000) });
    if (vector.valid) expect(verify()).toEqual(JSON.parse(vector.body));
    else expect(verify).toThrow();
  });

  it.each(document.vectors.map((v) => [v.name, v] as const))("%s: canonical, signed content and expected signature are consistent", (_name, vector) => {
    expect(vector.canonical).toBe(canonicalJson(JSON.parse(vector.body)));
    if (vector.valid) expect(vector.body).not.toBe(vector.canonical); // signing the bytes on the wire would fail
    if (vector.signedContent === null) return;
    expect(vector.signedContent).toBe(`${vector.headers["webhook-id"]}.${vector.headers["webhook-timestamp"]}.${vector.canonical}`);
    const offered = (vector.headers["webhook-signature"] ?? "").split(" ");
    expect(offered.includes(vector.expectedSignature!)).toBe(vector.valid);
  });
});
