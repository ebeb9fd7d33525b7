// A create tool given lines of units: "One Passenger is created per berth" makes a passenger per
// unit of each line (a line of 2 makes 2, each holding its line's cabin class), and "Updates
// berths_taken on the Cabin Classes and the Voucher" raises each named class's count by its line's
// quantity, and the voucher's (named by its code) by every line's.
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

const ferry = () => ({
  cabin_classes: {
    cc_1: { id: "cc_1", name: "Deck", berths_taken: 3, berths_total: 40 },
    cc_2: { id: "cc_2", name: "Cabin", berths_taken: 1, berths_total: 8 },
  },
  bookings: {
    bk_1: { id: "bk_1", holder: "Ines Vale", status: "placed" },
    bk_2: { id: "bk_2", holder: "Aro Penn", status: "placed" },
  },
  vouchers: {
    vc_1: { id: "vc_1", code: "GULL5", berths_taken: 0 },
    vc_2: { id: "vc_2", code: "TERN10", berths_taken: 4 },
  },
  passengers: {
    ps_1: { id: "ps_1", booking_id: "bk_1", cabin_class_id: "cc_1", holder: "Ines Vale", quantity: 1, status: "Booked" },
    ps_2: { id: "ps_2", booking_id: "bk_2", cabin_class_id: "cc_2", holder: "Aro Penn", quantity: 1, status: "Booked" },
    ps_3: { id: "ps_3", booking_id: "bk_2", cabin_class_id: "cc_2", holder: "Aro Penn", quantity: 1, status: "Aboard" },
  },
});

const book = toolSpec(
  "create_booking",
  {
    holder: { type: "string", description: "Name of the holder." },
    voucher_code: { type: "string", description: "Voucher code to apply (any case)." },
    berths: {
      type: "array",
      description: "Cabin Classes and quantities.",
      items: {
        type: "object",
        properties: { cabin_class_id: { type: "string" }, quantity: { type: "integer", minimum: 1 } },
        required: ["cabin_class_id", "quantity"],
      },
    },
  },
  ["holder", "berths"],
  "Create a Booking for a holder. One Passenger is created per berth, carrying the holder's name. Updates berths_taken on the Cabin Classes and the Voucher. Returns the Booking.",
);

describe("records per unit of a line", () => {
  it("makes a passenger per berth and counts the berths on their classes", async () => {
    const env = await serviceEnvironment(sandbox, [book], ferry());
    const { outcomes, state } = await env.run([
      {
        tool: "create_booking",
        arguments: {
          holder: "Lio Marsh",
          voucher_code: "tern10",
          berths: [
            { cabin_class_id: "cc_1", quantity: 2 },
            { cabin_class_id: "cc_2", quantity: 1 },
          ],
        },
      },
    ]);
    expect(outcomes[0]?.ok).toBe(true);
    const made = Object.values(
      state.passengers as Record<string, { holder: string; cabin_class_id: string; quantity: number; status: string }>,
    ).filter((p) => p.holder === "Lio Marsh");
    expect(made.map((p) => p.cabin_class_id).sort()).toEqual(["cc_1", "cc_1", "cc_2"]);
    expect(made.every((p) => p.quantity === 1)).toBe(true);
    // Each new passenger starts in the state the data's passengers start in.
    expect(made.map((p) => p.status)).toEqual(["Booked", "Booked", "Booked"]);
    const classes = state.cabin_classes as Record<string, { berths_taken: number }>;
    expect([classes.cc_1?.berths_taken, classes.cc_2?.berths_taken]).toEqual([5, 2]);
    // The voucher the code names counts every berth of the booking; the other is left alone.
    const vouchers = state.vouchers as Record<string, { berths_taken: number }>;
    expect([vouchers.vc_1?.berths_taken, vouchers.vc_2?.berths_taken]).toEqual([0, 7]);
  });
});
