// A change to every element of a list the tool's record holds, on small data of our own: "every
// shipment not yet DELIVERED or CANCELED becomes CANCELED" leaves the delivered one as it was.
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

const shop = () => ({
  orders: {
    o1: {
      id: "o1",
      state: "OPEN",
      shipments: [
        { uid: "s1", state: "DELIVERED" },
        { uid: "s2", state: "PENDING" },
        { uid: "s3", state: "IN_TRANSIT" },
      ],
    },
    o2: { id: "o2", state: "CANCELED", shipments: [{ uid: "s1", state: "CANCELED" }] },
    o3: { id: "o3", state: "COMPLETED", shipments: [{ uid: "s1", state: "DELIVERED" }] },
  },
});

describe("every element of a list", () => {
  it("sets the state of each element the description names, skipping those in the states it excludes", async () => {
    const cancel = toolSpec(
      "cancel_order",
      { order_id: { type: "string", description: "Order id" } },
      ["order_id"],
      "Cancels an OPEN order: state becomes CANCELED; every shipment not yet DELIVERED or CANCELED becomes CANCELED.",
    );
    const env = await serviceEnvironment(sandbox, [cancel], shop());
    expect(env.rules.tools[0]?.service?.effects.map((r) => r.rule.kind)).toContain("set-each");
    const { outcomes, state } = await env.run([{ tool: "cancel_order", arguments: { order_id: "o1" } }]);
    expect(outcomes.map((o) => o.ok)).toEqual([true]);
    const order = (state.orders as Record<string, Record<string, unknown>>).o1;
    expect(order?.state).toBe("CANCELED");
    expect(order?.shipments).toEqual([
      { uid: "s1", state: "DELIVERED" },
      { uid: "s2", state: "CANCELED" },
      { uid: "s3", state: "CANCELED" },
    ]);
  });

  it("sets the state of every record of another table that belongs to the record ('every card on the account')", async () => {
    const bank = () => ({
      accounts: { a1: { id: "a1", status: "open" }, a2: { id: "a2", status: "open" }, a3: { id: "a3", status: "closed" } },
      cards: {
        c1: { id: "c1", account_id: "a1", status: "active" },
        c2: { id: "c2", account_id: "a1", status: "canceled" },
        c3: { id: "c3", account_id: "a2", status: "disabled" },
      },
    });
    const close = toolSpec(
      "close_account",
      { account_id: { type: "string", description: "Account id" } },
      ["account_id"],
      "Close an open account. Its status becomes closed; every Card on the account that is not already `canceled` becomes `canceled`.",
    );
    const env = await serviceEnvironment(sandbox, [close], bank());
    const { outcomes, state } = await env.run([{ tool: "close_account", arguments: { account_id: "a1" } }]);
    expect(outcomes.map((o) => o.ok)).toEqual([true]);
    const cards = state.cards as Record<string, Record<string, unknown>>;
    expect([cards.c1?.status, cards.c2?.status, cards.c3?.status]).toEqual(["canceled", "canceled", "disabled"]);
  });

  it('lets go of every record held by the record, its state quoted and its link cleared (becomes "free" with booking_id null)', async () => {
    const hall = () => ({
      bookings: { b1: { id: "b1", status: "out" }, b2: { id: "b2", status: "out" } },
      seats: {
        s1: { id: "s1", booking_id: "b1", status: "taken" },
        s2: { id: "s2", booking_id: "b1", status: "taken" },
        s3: { id: "s3", booking_id: "b2", status: "taken" },
        s4: { id: "s4", booking_id: null, status: "free" },
      },
    });
    const end = toolSpec(
      "end_booking",
      { booking_id: { type: "string", description: "Booking id" } },
      ["booking_id"],
      'End a booking that is out. Every seat of the booking becomes "free" with booking_id null; the status becomes "ended".',
    );
    const env = await serviceEnvironment(sandbox, [end], hall());
    const { outcomes, state } = await env.run([{ tool: "end_booking", arguments: { booking_id: "b1" } }]);
    expect(outcomes.map((o) => o.ok)).toEqual([true]);
    expect(state.seats).toEqual({
      s1: { id: "s1", booking_id: null, status: "free" },
      s2: { id: "s2", booking_id: null, status: "free" },
      s3: { id: "s3", booking_id: "b2", status: "taken" },
      s4: { id: "s4", booking_id: null, status: "free" },
    });
  });
});
