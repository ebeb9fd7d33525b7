// "The dispatch check refuses a parcel with no label text, no sender name, or zero items (only
// packed items count)": what the parcel must hold before it is dispatched, each a field of it (the
// `contents` struct by its one count); an aside in parentheses is no item.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const parcel = (id: string, status: string, label_text: string, sender_name: string, item_count: number) => ({
  id,
  status,
  label: { label_text, sender_name },
  items: { item_count, packed_by: "Ivo" },
});
const data = {
  parcels: Object.fromEntries(
    [
      parcel("pc1", "ready", "To Oslo", "Mira", 3),
      parcel("pc2", "ready", "", "Mira", 2),
      parcel("pc3", "ready", "To Turku", "", 1),
      parcel("pc4", "ready", "To Riga", "Mira", 0),
      parcel("pc5", "dispatched", "To Bern", "Mira", 4),
    ].map((p) => [p.id, p]),
  ),
};
const dispatch = toolSpec("dispatch_parcel", { parcel_id: { type: "string" } }, ["parcel_id"], "Dispatch a parcel.");
const policy = "The dispatch check refuses a parcel with no label text, no sender name, or zero items (only packed items count).";

describe("refusals of a record that lacks what the act needs", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("refuses a parcel without a label text, a sender name or items, and dispatches a complete one", async () => {
    const env = await serviceEnvironment(sandbox, [dispatch], data, policy);
    const { outcomes, state } = await env.run(
      ["pc2", "pc3", "pc4", "pc1"].map((id) => ({ tool: "dispatch_parcel", arguments: { parcel_id: id } })),
    );
    expect(outcomes.map((o) => o.ok)).toEqual([false, false, false, true]);
    const parcels = state.parcels as Record<string, { status: string }>;
    expect(parcels.pc1?.status).toBe("dispatched");
    expect(parcels.pc2?.status).toBe("ready");
  });
});
