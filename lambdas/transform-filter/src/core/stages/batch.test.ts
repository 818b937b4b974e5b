import pLimit from "p-limit";
import { describe, expect, it } from "vitest";
import { TransientError } from "@trust-callbacks/runtime";
import { found, type Result } from "@trust-callbacks/runtime";
import { lookupEach } from "./batch.ts";

describe("lookupEach", () => {
  it("asks once per distinct key, and a lookup that throws answers failed", async () => {
    // Prepare
    const asked: string[] = [];
    const lookup = async (key: string): Promise<Result<string>> => {
      asked.push(key);
      if (key === "down") throw new TransientError("unavailable");
      return found(key.toUpperCase());
    };

    // Act
    const answers = await lookupEach(["a", "b", "a", "down"], pLimit(2), lookup);

    // Assess
    expect(asked.sort()).toEqual(["a", "b", "down"]);
    expect(answers.get("a")).toEqual(found("A"));
    expect(answers.get("down")).toMatchObject({ status: "failed", retry: "now" }); // transient: retried
  });

  it("takes the answers at hand from cached and asks lookup only for the others", async () => {
    // Prepare
    const asked: string[] = [];
    const lookup = async (key: string): Promise<Result<string>> => {
      asked.push(key);
      return found(`looked up ${key}`);
    };
    const cached = (key: string): Result<string> | undefined => (key.startsWith("warm") ? found(`cached ${key}`) : undefined);

    // Act
    const answers = await lookupEach(["warm-1", "cold", "warm-2", "cold", "warm-1"], pLimit(2), lookup, cached);

    // Assess
    expect(asked).toEqual(["cold"]);
    expect(Object.fromEntries(answers)).toEqual({
      "warm-1": found("cached warm-1"),
      "warm-2": found("cached warm-2"),
      cold: found("looked up cold"),
    });
  });

  it("answers failed for a key whose cached read throws, and the other keys as usual", async () => {
    // Prepare
    const lookup = async (key: string): Promise<Result<string>> => found(`looked up ${key}`);
    const cached = (key: string): Result<string> | undefined => {
      if (key === "broken") throw new TransientError("cache read failed");
      return undefined;
    };

    // Act
    const answers = await lookupEach(["broken", "cold"], pLimit(2), lookup, cached);

    // Assess
    expect(answers.get("broken")).toMatchObject({ status: "failed", retry: "now" });
    expect(answers.get("cold")).toEqual(found("looked up cold"));
  });
});
