// A state named in a phrase a verb of making governs ("cancel it and place a new one") qualifies the
// record the clause makes, not the one the tool acts on: it limits nothing. The description's own
// states still do.
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

const rink = () => ({
  bookings: {
    b_1: { id: "b_1", lane: 2, status: "pending", updated_at: "2025-02-01T10:00:00Z" },
    b_2: { id: "b_2", lane: 3, status: "held", updated_at: "2025-02-01T11:00:00Z" },
    b_3: { id: "b_3", lane: 4, status: "cancelled", updated_at: "2025-02-01T12:00:00Z" },
    b_4: { id: "b_4", lane: 5, status: "used", updated_at: "2025-02-01T13:00:00Z" },
  },
});

const cancel = toolSpec(
  "cancel_booking",
  { booking_id: { type: "string", description: "The booking's id." } },
  ["booking_id"],
  "Cancels a booking that is pending or held; used and cancelled bookings cannot be cancelled.",
);

const policy = "# Desk\n- To move a booking to another lane, cancel it and make a pending one on the new lane.\n";

describe("states of a record a clause makes", () => {
  it("are no requirement on the record the tool acts on", async () => {
    const env = await serviceEnvironment(sandbox, [cancel], rink(), policy);
    const states = (env.rules.tools[0]?.service.requires ?? [])
      .map((r) => r.rule)
      .flatMap((r) => (r.kind === "status-in" ? [r.values] : []));
    expect(states).toEqual([["held", "pending"]]);
    const { outcomes } = await env.run([
      { tool: "cancel_booking", arguments: { booking_id: "b_2" } },
      { tool: "cancel_booking", arguments: { booking_id: "b_4" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false]);
  });
});
