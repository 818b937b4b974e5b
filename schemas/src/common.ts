import { z } from "zod";

/** The shape of an NHS organisation (ODS) code: 3 to 6 upper-case letters or digits. */
export const ODS_CODE_PATTERN = /^[A-Z0-9]{3,6}$/;

/** An NHS organisation (ODS) code, such as `RX1` or `R0A`: the trust id used everywhere. */
export const OdsCode = z.string().regex(ODS_CODE_PATTERN, "must be an ODS code: 3 to 6 upper-case letters or digits, e.g. RX1");

/**
 * Canonical standard base64 (RFC 4648 §4: padded, the unused bits of the last character zero), which
 * is what every encoder writes. The JSON Schemas publish this pattern; `decodeBase64` accepts exactly
 * the same texts (schemas.test.ts proves it on random input).
 */
export const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/][AQgw]==|[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=)?$/;

/**
 * The bytes of a canonical standard base64 text, or undefined if it is not one. Node's decoder skips
 * characters outside the alphabet and accepts base64url, so the native re-encode must give the text
 * back. About 10x faster than BASE64_PATTERN on a kilobyte of ciphertext, the largest field of an event.
 */
export function decodeBase64(text: string): Buffer | undefined {
  if (text.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(text, "base64");
  return bytes.toString("base64") === text ? bytes : undefined;
}

/** Standard base64 with a bound on the encoded length, checked natively; the JSON Schema carries BASE64_PATTERN. */
export const base64 = (maxLength: number) =>
  z
    .string()
    .max(maxLength)
    .refine((text) => decodeBase64(text) !== undefined, "must be standard base64")
    .meta({ pattern: BASE64_PATTERN.source });

export const Identifier = z.string().min(1).max(128);

/** An endpoint's id within its trust (trust files, hold states, notices): it names the endpoint's AWS resources. */
export const EndpointId = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/, "must be 1-32 lower-case letters, digits or inner hyphens");

/** An instant as ISO 8601 with an offset (`2027-01-10T20:00:00Z`): hold windows, hold states, notices. */
export const Instant = z.iso.datetime({ offset: true });
