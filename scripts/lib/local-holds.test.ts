import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CallbackCloudEvent, HoldState } from "@trust-callbacks/schemas";
import { FileHoldStates, FileHoldStore, FileNoticeOutbox } from "./local-holds.ts";

const endpoint = { trustId: "RX1", endpointId: "ehr" };
const cloudEvent = (id: string) => ({ specversion: "1.0", id, type: "uk.nhs.message.created", source: "/trust-callbacks/local", time: "2027-01-10T20:00:00Z", data: {} }) as unknown as CallbackCloudEvent;
const hold: HoldState = { ...endpoint, phase: "held", source: "adhoc", reason: "EPR down", heldAt: "2027-01-10T19:00:00Z", heldBy: "alice", drained: 0, version: 0 };

describe("the local holds files (docs/adr/0002-holds.md: the same semantics as the AWS stores)", () => {
  it("hand deliveries back in the order held, once per CloudEvent id, and again after a restart until deleted", async () => {
    const dir = mkdtempSync(join(tmpdir(), "holds-"));
    const store = new FileHoldStore(dir);
    await store.append(["a", "b", "a", "c"].map((id) => ({ endpoint, cloudEvent: cloudEvent(id) })));
    const first = await store.receive(endpoint, 2);
    expect(first.status === "found" && first.value.map((d) => d.cloudEvent.id)).toEqual(["a", "b"]);
    // A drain that stopped before deleting (a new process) is handed the same deliveries again: nothing is lost.
    const again = await new FileHoldStore(dir).receive(endpoint, 10);
    expect(again.status === "found" && again.value.map((d) => d.cloudEvent.id)).toEqual(["a", "b", "c"]);
    if (again.status !== "found") throw new Error("receive failed");
    await store.delete(endpoint, again.value.slice(0, 2).map((d) => d.receipt));
    expect(await store.depth(endpoint)).toEqual({ status: "found", value: 1 });
    expect(statSync(join(dir, "store.json")).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it("write a hold state only on the version read: the second of two writers is told, not obeyed", async () => {
    const states = new FileHoldStates(mkdtempSync(join(tmpdir(), "holds-")));
    expect((await states.put(hold, undefined)).status).toBe("found");
    expect((await states.put({ ...hold, reason: "second writer" }, undefined)).status).toBe("not-found");
    const [written] = [...(await states.getMany([endpoint])).values()];
    expect(written?.status === "found" && [written.value.reason, written.value.version]).toEqual(["EPR down", 1]);
    expect((await states.delete(endpoint, 0)).status).toBe("not-found");
    expect((await states.delete(endpoint, 1)).status).toBe("found");
  });

  it("keep the first notice of an id in the outbox", async () => {
    const outbox = new FileNoticeOutbox(join(mkdtempSync(join(tmpdir(), "notices-")), "notices.ndjson"));
    const notice = { id: "hold-started#RX1#ehr#2027-01-10T19:00:00Z", kind: "hold-started", trustId: "RX1", endpointId: "ehr", at: "2027-01-10T19:00:00Z" } as const;
    await outbox.record(notice);
    await outbox.record({ ...notice, reason: "a repeat" });
    expect(outbox.read()).toEqual([notice]);
  });
});
