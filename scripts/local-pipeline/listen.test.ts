import { afterEach, describe, expect, it, vi } from "vitest";
import { listen } from "./commands/listen.ts";

describe("listen", () => {
  afterEach(() => vi.restoreAllMocks());

  it("prints what it saw when stopped: deliveries accepted, requests, rejections and the last reason", async () => {
    const errors: string[] = [];
    vi.spyOn(console, "error").mockImplementation((text: string) => void errors.push(text));
    const controller = new AbortController();
    const running = listen({ name: "listen", port: 0, auth: { type: "api_key", headerName: "x-api-key", value: "k" }, respond: [200], json: false }, controller.signal);
    await vi.waitFor(() => expect(errors.some((e) => e.startsWith("listening on "))).toBe(true));
    const origin = /listening on (\S+)/.exec(errors.find((e) => e.startsWith("listening on "))!)![1]!;
    // One request without the API key: rejected.
    await fetch(origin, { method: "POST", body: "{}" });

    controller.abort();

    expect(await running).toBe(0);
    expect(errors.at(-1)).toBe("stopped listen: 0 deliveries accepted (2xx) of 1 request(s), 1 rejected (last: 401 bad api key)");
  });
});
