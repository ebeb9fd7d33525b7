// A list of states a call refuses, one clause each: "Refused when the order is already wrapped, a
// return is requested or approved, or the parcel is already shipped (or delivered)": a field the
// data leaves empty on some records (`wrapping`), the values of the field named after the noun
// (`return_status`), the record's states; on a gift shop.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const order = (id: string, status: string, wrapping: string | null, return_status: string | null) => ({
  id,
  status,
  wrapping,
  return_status,
});
const data = {
  orders: {
    ord_1: order("ord_1", "placed", null, null),
    ord_2: order("ord_2", "placed", "ribbon", null),
    ord_3: order("ord_3", "placed", null, "requested"),
    ord_4: order("ord_4", "shipped", null, null),
    ord_5: order("ord_5", "delivered", null, "approved"),
    ord_6: order("ord_6", "placed", null, "rejected"),
    ord_7: order("ord_7", "shipped", "ribbon", null),
    ord_8: order("ord_8", "delivered", "paper", null),
    ord_9: order("ord_9", "placed", null, null),
  },
};

const tools = [
  toolSpec(
    "wrap_order",
    { order_id: { type: "string", description: "The order." }, wrapping: { type: "string", description: 'The wrapping, e.g. "ribbon".' } },
    ["order_id", "wrapping"],
    "Adds gift wrapping to an order; wrapping is set to the given one. Refused when the order is already wrapped, a return is requested or approved, or the parcel is already shipped (or delivered). Returns the Order.",
  ),
];

describe("a list of refused states", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("refuses each listed state and lets the others through", async () => {
    const env = await serviceEnvironment(sandbox, tools, data, "Today is 2025-06-10 and the time is 12:00 UTC.");
    const calls = ["ord_1", "ord_2", "ord_3", "ord_4", "ord_5", "ord_6"].map((id) => ({
      tool: "wrap_order",
      arguments: { order_id: id, wrapping: "paper" },
    }));
    const { outcomes } = await env.run(calls);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, false, false, false, true]);
  });
});
