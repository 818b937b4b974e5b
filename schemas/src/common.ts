import { z } from "zod";

/** An NHS organisation (ODS) code, such as `RX1` or `R0A`: the trust id used everywhere. */
export const OdsCode = z
  .string()
  .regex(/^[A-Z0-9]{3,6}$/, "must be an ODS code: 3 to 6 upper-case letters or digits, e.g. RX1");

/** Base64 (standard alphabet, padded) with a bound on the encoded length. */
export const base64 = (maxLength: number) =>
  z
    .string()
    .max(maxLength)
    .regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, "must be standard base64");

export const Identifier = z.string().min(1).max(128);
