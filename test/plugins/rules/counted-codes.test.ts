// A code written from a number the data counts: "a confirmation number ("CNF" followed by the
// platform's next confirmation number)", "a parcel_code (the courier's code_prefix followed by the
// platform's next parcel number)": a quoted or read prefix, then the counter's number, which moves on.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const data = {
  counters: { next_confirmation: 500, next_parcel_number: 9100 },
  couriers: {
    cou_1: { id: "cou_1", name: "Swiftly", code_prefix: "SW" },
    cou_2: { id: "cou_2", name: "Hermes", code_prefix: "HX" },
  },
  orders: {
    ord_1: { id: "ord_1", courier_id: "cou_2", status: "open", confirmation: null, parcel_code: null },
    ord_2: { id: "ord_2", courier_id: "cou_1", status: "confirmed", confirmation: "CNF499", parcel_code: "SW9099" },
  },
};

const tools = [
  toolSpec(
    "confirm_order",
    { order_id: { type: "string", description: "The order." } },
    ["order_id"],
    "Confirms an open order. The order becomes confirmed with a confirmation number (\"CNF\" followed by the platform's next confirmation number) and a parcel_code (the courier's code_prefix followed by the platform's next parcel number). Returns the Order.",
  ),
];

describe("a code from a counted number", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("writes the prefix, then the counter's number, and moves the counter on", async () => {
    const env = await serviceEnvironment(sandbox, tools, data, "Today is 2025-06-10 and the time is 12:00 UTC.");
    const { outcomes, state } = await env.run([{ tool: "confirm_order", arguments: { order_id: "ord_1" } }]);
    expect(outcomes[0]?.ok).toBe(true);
    expect((state.orders as Record<string, Record<string, unknown>>).ord_1).toMatchObject({
      status: "confirmed",
      confirmation: "CNF500",
      parcel_code: "HX9100",
    });
    expect(state.counters).toEqual({ next_confirmation: 501, next_parcel_number: 9101 });
  });
});
