// A key parameter whose name offers another field before its "or" (`sku_or_part_id`): the record is
// found by that field or by its key, and a value that is neither is refused.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await Sandbox.start({ processes: 1 });
});
afterAll(async () => {
  await sandbox?.close();
});

const parts = () => ({
  parts: {
    "9f1c2b7e-0001": { id: "9f1c2b7e-0001", sku: "BOLT-8", label: "Bolt 8mm", stocked: true },
    "9f1c2b7e-0002": { id: "9f1c2b7e-0002", sku: "NUT-8", label: "Nut 8mm", stocked: false },
  },
});

const getPart = toolSpec(
  "get_part",
  { sku_or_part_id: { type: "string", description: "The part's SKU (e.g. BOLT-8) or its id." } },
  ["sku_or_part_id"],
  "Returns a part.",
);

describe("a key parameter that may also give another field", () => {
  it("finds the record by that field, by its key, and refuses neither", async () => {
    const env = await serviceEnvironment(sandbox, [getPart], parts());
    expect(env.rules.tools[0]?.service).toMatchObject({
      kind: "get",
      keyParameter: "sku_or_part_id",
      match: [{ parameter: "sku_or_part_id", path: ["sku"], mode: "equal" }],
    });
    const { outcomes } = await env.run([
      { tool: "get_part", arguments: { sku_or_part_id: "NUT-8" } },
      { tool: "get_part", arguments: { sku_or_part_id: "9f1c2b7e-0001" } },
      { tool: "get_part", arguments: { sku_or_part_id: "RIVET" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, false]);
    expect(outcomes.map((o) => (o.ok ? (o.result as { label: string }).label : null))).toEqual(["Nut 8mm", "Bolt 8mm", null]);
  });
});
