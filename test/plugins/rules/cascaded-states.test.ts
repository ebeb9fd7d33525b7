// "Cancel a Voyage: all its Bookings are cancelled and their berths are freed": the records that
// refer to the tool's record take the state word, and the list of states stops at "their" (the
// next act, about other records), so a sentence that goes on does not lose the first one.
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

const harbour = () => ({
  voyages: {
    v_1: { id: "v_1", route: "North", status: "scheduled" },
    v_2: { id: "v_2", route: "South", status: "called_off" },
  },
  bookings: {
    b_1: { id: "b_1", voyage_id: "v_1", cancelled: false },
    b_2: { id: "b_2", voyage_id: "v_1", cancelled: false },
    b_3: { id: "b_3", voyage_id: "v_2", cancelled: true },
    b_4: { id: "b_4", voyage_id: "v_2", cancelled: false },
  },
});

const callOff = toolSpec(
  "call_off_voyage",
  { voyage_id: { type: "string", description: "Voyage id." } },
  ["voyage_id"],
  "Call off a scheduled Voyage: all its Bookings are cancelled and their berths are freed; the voyage status becomes called_off.",
);

describe("states cascaded to the records that refer to the record", () => {
  it("cancels every booking of the voyage, and only those", async () => {
    const env = await serviceEnvironment(sandbox, [callOff], harbour());
    const { outcomes, state } = await env.run([{ tool: "call_off_voyage", arguments: { voyage_id: "v_1" } }]);
    expect(outcomes[0]?.ok).toBe(true);
    const bookings = state.bookings as Record<string, { cancelled: boolean }>;
    expect([bookings.b_1?.cancelled, bookings.b_2?.cancelled, bookings.b_4?.cancelled]).toEqual([true, true, false]);
  });
});
