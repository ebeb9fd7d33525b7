// Cases a create refuses, listed after "Not possible": "once the Shipment has departed, for a lost
// Shipment, for a Shipment whose terms is final_sale, or while the Order has another open Return" —
// each about the record reached from what the call names (the order's shipment), by its state or a
// value of one of its structs, and the order's other returns not yet closed.
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

const depot = () => ({
  shipments: {
    sh_1: { id: "sh_1", status: "packing", terms: { kind: "standard", days: 30 } },
    sh_2: { id: "sh_2", status: "departed", terms: { kind: "standard", days: 30 } },
    sh_3: { id: "sh_3", status: "lost", terms: { kind: "standard", days: 30 } },
    sh_4: { id: "sh_4", status: "packing", terms: { kind: "final_sale", days: 0 } },
  },
  orders: {
    or_1: { id: "or_1", shipment_id: "sh_1", buyer: "Nell" },
    or_2: { id: "or_2", shipment_id: "sh_2", buyer: "Oda" },
    or_3: { id: "or_3", shipment_id: "sh_3", buyer: "Pim" },
    or_4: { id: "or_4", shipment_id: "sh_4", buyer: "Quin" },
    or_5: { id: "or_5", shipment_id: "sh_1", buyer: "Rhea" },
  },
  returns: {
    rt_1: { id: "rt_1", order_id: "or_1", reason: "size", status: "open" },
    rt_2: { id: "rt_2", order_id: "or_5", reason: "colour", status: "rejected" },
  },
});

const open = toolSpec(
  "create_return",
  { order_id: { type: "string", description: "Order id." }, reason: { type: "string", description: "Why." } },
  ["order_id", "reason"],
  "Open a Return for an Order. Not possible once the Shipment has departed, for a lost Shipment, for a Shipment whose terms is final_sale, or while the Order has another open Return.",
);

describe("cases a create refuses", () => {
  it("refuses each listed case of the record the call reaches, and takes the rest", async () => {
    const env = await serviceEnvironment(sandbox, [open], depot());
    const { outcomes } = await env.run(
      ["or_2", "or_3", "or_4", "or_1", "or_5"].map((order_id) => ({ tool: "create_return", arguments: { order_id, reason: "late" } })),
    );
    expect(outcomes.map((o) => o.ok)).toEqual([false, false, false, false, true]);
  });
});
