import { Readable } from "node:stream";

// Over the bytes, not Buffer.from(body): the SDK's JSON body is a Uint8Array subclass whose valueOf() warns.
const utf8Of = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");

/** What an in-process HTTP handler sees of a request the SDK serialized and signed. */
export interface InProcessRequest {
  method: string;
  hostname: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** The HTTP answer: status, headers and body, as a service would send them. */
export interface InProcessResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string | Uint8Array;
}

/**
 * An SDK `requestHandler` that answers in-process instead of over the network: every call runs the SDK's
 * full path (serialization, SigV4 signing, checksums, response parsing) and only the socket is missing.
 * Pass it as `requestHandler` in a client's configuration.
 */
export function inProcessHttpHandler(respond: (request: InProcessRequest) => InProcessResponse | Promise<InProcessResponse>) {
  return {
    metadata: { handlerProtocol: "http/1.1" },
    async handle(request: { method: string; hostname: string; path: string; headers: Record<string, string>; body?: unknown }) {
      const body = typeof request.body === "string" ? request.body : request.body ? utf8Of(request.body as Uint8Array) : "";
      const answer = await respond({ method: request.method, hostname: request.hostname, path: request.path, headers: request.headers, body });
      const bytes = typeof answer.body === "string" ? Buffer.from(answer.body) : Buffer.from(answer.body);
      // The SDK reads a Node stream, as from an IncomingMessage; a plain object passes its HttpResponse check.
      return {
        response: {
          statusCode: answer.statusCode,
          headers: { "content-length": String(bytes.length), ...answer.headers },
          body: Readable.from([bytes]),
        },
      };
    },
    updateHttpClientConfig: () => {},
    httpHandlerConfigs: () => ({}),
    destroy: () => {},
  };
}
