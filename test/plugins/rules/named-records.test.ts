// Records an array argument names, and what becomes of each: "each given unit becomes status
// "out" with rental_id set to this rental"; a list of the record that "becomes the given list"; the
// record an argument named for its role names ("the previous booking becomes "replaced"").
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

describe("records an array argument names", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("sets the state and the holder of each unit the call hands out, and no other", async () => {
    const data = {
      rentals: {
        ren_1: { id: "ren_1", status: "booked", unit_ids: [] },
        ren_2: { id: "ren_2", status: "out", unit_ids: ["unit_3"] },
      },
      units: {
        unit_1: { id: "unit_1", status: "available", rental_id: null },
        unit_2: { id: "unit_2", status: "available", rental_id: null },
        unit_3: { id: "unit_3", status: "out", rental_id: "ren_2" },
      },
    };
    const tools = [
      toolSpec(
        "hand_out_rental",
        { rental_id: { type: "string" }, unit_ids: { type: "array", items: { type: "string" } } },
        ["rental_id", "unit_ids"],
        'Hand out a booked rental. Each given unit becomes status "out" with rental_id set to this rental; the rental\'s unit_ids becomes the given list.',
      ),
    ];
    const env = await serviceEnvironment(sandbox, tools, data);
    const { outcomes, state } = await env.run([{ tool: "hand_out_rental", arguments: { rental_id: "ren_1", unit_ids: ["unit_2"] } }]);
    expect(outcomes.map((o) => o.ok)).toEqual([true]);
    expect((state.rentals as Record<string, { unit_ids: unknown }>).ren_1?.unit_ids).toEqual(["unit_2"]);
    expect(state.units).toEqual({
      unit_1: { id: "unit_1", status: "available", rental_id: null },
      unit_2: { id: "unit_2", status: "out", rental_id: "ren_1" },
      unit_3: { id: "unit_3", status: "out", rental_id: "ren_2" },
    });
  });

  it("moves the record an argument named for its role names ('the previous booking becomes \"replaced\"'), when it is given", async () => {
    const data = {
      bookings: {
        b1: { id: "b1", guest: "Ana", status: "replaced", previous_booking_id: null },
        b2: { id: "b2", guest: "Ana", status: "active", previous_booking_id: "b1" },
        b3: { id: "b3", guest: "Bo", status: "active", previous_booking_id: null },
      },
    };
    const tools = [
      toolSpec(
        "create_booking",
        { guest: { type: "string" }, previous_booking_id: { type: "string" } },
        ["guest"],
        'Create a booking for a guest. To change a booking, pass its id as previous_booking_id: the previous booking becomes "replaced".',
      ),
    ];
    const env = await serviceEnvironment(sandbox, tools, data);
    const { outcomes, state } = await env.run([
      { tool: "create_booking", arguments: { guest: "Ana", previous_booking_id: "b2" } },
      { tool: "create_booking", arguments: { guest: "Cy" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true]);
    const bookings = state.bookings as Record<string, { status: string }>;
    expect([bookings.b2?.status, bookings.b3?.status]).toEqual(["replaced", "active"]);
  });
});
