/** An HTTP Basic `Authorization` header value (RFC 7617), as sent by connections and OAuth token requests. */
export const basicAuthorization = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
