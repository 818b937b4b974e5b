import pino from "pino";
import { describe, expect, it } from "vitest";
import { awsClientConfig } from "@trust-callbacks/runtime/aws";
import { holdAdapters } from "./hold-adapters.ts";

const logger = pino({ level: "silent" });
const all = { HOLDS_TABLE_NAME: "tc-holds", HOLD_QUEUE_URL_BASE: "https://sqs.eu-west-2.amazonaws.com/123456789012/", NAME_PREFIX: "tc-prod" };

describe("holdAdapters: the holds settings are all three or none", () => {
  it("wires the holds table and the hold stores when all three are set", () => {
    const { holds } = holdAdapters(all, awsClientConfig(logger), logger);
    expect(holds?.states.constructor.name).toBe("DynamoDbHoldStates");
    expect(holds?.store.constructor.name).toBe("SqsHoldStore");
  });

  it("holds nothing when none is set", () => {
    expect(holdAdapters({}, awsClientConfig(logger), logger)).toEqual({});
  });

  it.each(["HOLDS_TABLE_NAME", "HOLD_QUEUE_URL_BASE", "NAME_PREFIX"] as const)("refuses to start without %s when the others are set", (missing) => {
    const { [missing]: _unset, ...partial } = all;
    expect(() => holdAdapters(partial, awsClientConfig(logger), logger)).toThrow(/set together or not at all/);
  });
});
