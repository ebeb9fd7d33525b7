// "add X to Y": a tool named `add_part_to_kit(kit_id, sku)` whose kit keeps a list of parts changes
// the kit (no part record is made, though "add" is a verb of making), and each entry of the list is
// a copy of the part the call names by one of the entry's fields, read off the parts table.
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

const workshop = () => ({
  parts: {
    p_1: { id: "p_1", sku: "BOLT-8", label: "Bolt 8mm", weight: 4, stocked: true },
    p_2: { id: "p_2", sku: "NUT-8", label: "Nut 8mm", weight: 2, stocked: true },
    p_3: { id: "p_3", sku: "WASHER", label: "Washer", weight: 1, stocked: false },
  },
  kits: {
    k_1: {
      id: "k_1",
      title: "Frame kit",
      updated_at: "2025-01-01T10:00:00Z",
      parts: [{ id: "p_1", sku: "BOLT-8", label: "Bolt 8mm" }],
    },
    k_2: { id: "k_2", title: "Spare kit", updated_at: "2025-01-02T10:00:00Z", parts: [{ id: "p_2", sku: "NUT-8", label: "Nut 8mm" }] },
  },
});

const addPart = toolSpec(
  "add_part_to_kit",
  {
    kit_id: { type: "string", description: "The kit's id." },
    sku: { type: "string", description: "SKU of the part to add." },
  },
  ["kit_id", "sku"],
  "Appends a part (by sku) to a kit and returns the updated kit.",
);

describe("adding a record's copy to a list another record keeps", () => {
  it("changes the record after 'to', not a new record of what is added", async () => {
    const env = await serviceEnvironment(sandbox, [addPart], workshop());
    const service = env.rules.tools[0]?.service;
    expect(service).toMatchObject({ kind: "change", table: "kits", keyParameter: "kit_id" });
    expect(service?.effects.some((r) => r.rule.kind === "insert")).toBe(false);
  });

  it("appends the named part's fields as the list's entries hold them, and refuses a part no record has", async () => {
    const env = await serviceEnvironment(sandbox, [addPart], workshop());
    const { outcomes, state } = await env.run([
      { tool: "add_part_to_kit", arguments: { kit_id: "k_1", sku: "WASHER" } },
      { tool: "add_part_to_kit", arguments: { kit_id: "k_1", sku: "RIVET" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false]);
    const kits = state.kits as Record<string, { parts: unknown[] }>;
    expect(kits.k_1?.parts).toEqual([
      { id: "p_1", sku: "BOLT-8", label: "Bolt 8mm" },
      { id: "p_3", sku: "WASHER", label: "Washer" },
    ]);
    expect(Object.keys(state.parts as object)).toEqual(["p_1", "p_2", "p_3"]);
  });
});
