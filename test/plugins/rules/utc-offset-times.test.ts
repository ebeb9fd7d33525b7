// Times that spell UTC as an offset (`2025-04-02T09:30:00+00:00`), as many APIs write every time:
// a time the service writes now is written the same way, not as `…Z`, so the record reads like
// every record beside it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inferTables } from "../../../lib/data-pack/tables.ts";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const data = {
  kennels: {
    k1: { id: "k1", name: "North run", status: "open", cleaned_at: "2025-04-01T07:15:00+00:00" },
    k2: { id: "k2", name: "South run", status: "open", cleaned_at: "2025-04-02T09:30:00+00:00" },
    k3: { id: "k3", name: "Yard", status: "closed", cleaned_at: "2025-03-28T16:45:00+00:00" },
  },
};
const tools = [
  toolSpec(
    "clean_kennel",
    { kennel_id: { type: "string", description: "The kennel's id." } },
    ["kennel_id"],
    "Record that a kennel was cleaned: its cleaned_at time is set to now.",
  ),
];
const policy = "Today is 2025-04-03, 10:00 UTC.";

describe("times that spell UTC as +00:00", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("keeps +00:00 as the offset the data writes, and leaves times written with Z alone", () => {
    const tables = inferTables(data);
    expect(tables[0]?.fields.find((f) => f.name === "cleaned_at")?.utcOffset).toBe("+00:00");
    const zulu = {
      kennels: { k1: { id: "k1", cleaned_at: "2025-04-01T07:15:00Z" }, k2: { id: "k2", cleaned_at: "2025-04-02T09:30:00Z" } },
    };
    expect(inferTables(zulu)[0]?.fields.find((f) => f.name === "cleaned_at")?.utcOffset).toBeUndefined();
  });

  it("writes the time it stamps now with +00:00", async () => {
    const env = await serviceEnvironment(sandbox, tools, data, policy);
    const { outcomes, state } = await env.run([{ tool: "clean_kennel", arguments: { kennel_id: "k2" } }]);
    expect(outcomes[0]?.ok).toBe(true);
    const kennels = state.kennels as Record<string, { cleaned_at: string }>;
    expect(kennels.k2?.cleaned_at).toBe("2025-04-03T10:00:00+00:00");
    expect(kennels.k1?.cleaned_at).toBe("2025-04-01T07:15:00+00:00");
  });
});
