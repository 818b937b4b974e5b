import { describe, expect, it } from "vitest";
import type { PlatformEvent } from "./events.ts";
import { mapSensitiveFields } from "./sensitive-fields.ts";

const envelope = {
  eventId: "6f1c1f2e-8a4b-4c1d-9e2f-0a1b2c3d4e5f",
  occurredAt: "2026-11-22T09:30:00Z",
  trustId: "RX1",
  conversationId: "conv-1",
  attributes: {},
};
const created = {
  ...envelope,
  type: "conversation.created",
  data: {
    createdBy: { userId: "u1", displayName: "Dr A" },
    participants: [
      { userId: "u2", displayName: "Nurse B" },
      { userId: "u3", displayName: "Dr C" },
    ],
    topic: "Bed 4",
  },
} as PlatformEvent;
const messageCreated = {
  ...envelope,
  type: "message.created",
  data: { messageId: "m1", sender: { userId: "u1", displayName: "Dr A" }, text: "Obs stable" },
} as PlatformEvent;

describe("mapSensitiveFields", () => {
  it("visits every sensitive field of the type, through arrays, with its path", () => {
    const seen: [string, unknown][] = [];
    mapSensitiveFields(created, (value, path) => {
      seen.push([path, value]);
      return value;
    });
    expect(seen).toEqual([
      ["data.createdBy.displayName", "Dr A"],
      ["data.participants[0].displayName", "Nurse B"],
      ["data.participants[1].displayName", "Dr C"],
      ["data.topic", "Bed 4"],
    ]);
  });

  it("rewrites and removes fields on copies, leaving the event untouched and the rest shared", () => {
    const before = structuredClone(created);
    const redacted = mapSensitiveFields(created, (_value, path) => (path === "data.topic" ? undefined : "***"));
    expect(redacted).toEqual({
      createdBy: { userId: "u1", displayName: "***" },
      participants: [
        { userId: "u2", displayName: "***" },
        { userId: "u3", displayName: "***" },
      ],
    });
    expect(redacted).not.toHaveProperty("topic");
    expect(created).toEqual(before);

    const minimal = mapSensitiveFields(messageCreated, () => undefined);
    expect(minimal).toEqual({ messageId: "m1", sender: { userId: "u1" } });
    expect(messageCreated.data).toEqual({ messageId: "m1", sender: { userId: "u1", displayName: "Dr A" }, text: "Obs stable" });
  });

  it("copies nothing when nothing changes, and only the branch that changes", () => {
    expect(mapSensitiveFields(created, (value) => value)).toBe(created.data);
    const data = created.data as { createdBy: object; participants: object[] };
    const onlyFirst = mapSensitiveFields(created, (value, path) => (path === "data.participants[0].displayName" ? "x" : value)) as typeof data;
    expect(onlyFirst).not.toBe(data);
    expect(onlyFirst.createdBy).toBe(data.createdBy);
    expect(onlyFirst.participants).not.toBe(data.participants);
    expect(onlyFirst.participants[1]).toBe(data.participants[1]);
  });

  it("leaves fields alone where the data does not have the expected shape", () => {
    const odd = { ...created, data: { createdBy: "not an object", participants: { displayName: "not an array" } } } as unknown as PlatformEvent;
    const seen: string[] = [];
    const result = mapSensitiveFields(odd, (value, path) => {
      seen.push(path);
      return value;
    });
    expect(seen).toEqual([]);
    expect(result).toBe(odd.data);
  });
});
