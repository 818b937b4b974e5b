import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ResourceNameTooLong, endpointResourceName } from "./naming.ts";

// The same cases infrastructure/terraform/modules/trust-endpoint/tests pins for the Terraform side.
const cases = JSON.parse(readFileSync(new URL("../fixtures/endpoint-resource-names.json", import.meta.url), "utf8")).cases as {
  namePrefix: string; trustId: string; endpointId: string; name: string | null;
}[];

describe("endpointResourceName", () => {
  it.each(cases)("$namePrefix / $trustId / $endpointId -> $name", ({ namePrefix, trustId, endpointId, name }) => {
    if (name === null) {
      expect(() => endpointResourceName(namePrefix, trustId, endpointId)).toThrow(ResourceNameTooLong);
    } else {
      expect(endpointResourceName(namePrefix, trustId, endpointId)).toBe(name);
    }
  });

  it("gives two endpoints that differ only past the 64th character different names or refuses them, never one name", () => {
    const prefix = "trust-callbacks-preprod01";
    const make = (id: string) => { try { return endpointResourceName(prefix, "RAJ123", id); } catch { return undefined; } };
    expect(make("electronic-patient-record-bleeps")).toBeUndefined();
    expect(make("electronic-patient-record-bleepx")).toBeUndefined();
  });
});
