// Charges of a record handed back by name under a condition on a record the call reaches: "For venues
// with refund_policy instant (…) the booking is voided at once: the SeatFee and any CoverFee are marked
// waived and credited back to the member's balance", on a box office.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const fee = (type: string, amount: string, waived = false) => ({ type, amount, settled: true, waived });
const data = {
  members: { mem_1: { id: "mem_1", name: "Ines", balance: "10.00000" } },
  venues: {
    ven_1: { id: "ven_1", name: "Dome", refund_policy: "instant" },
    ven_2: { id: "ven_2", name: "Barn", refund_policy: "review" },
  },
  bookings: {
    bkg_1: {
      id: "bkg_1",
      member_id: "mem_1",
      venue_id: "ven_1",
      status: "paid",
      charges: [fee("BookingFee", "0.50000"), fee("SeatFee", "20.00000"), fee("CoverFee", "2.00000")],
    },
    bkg_2: {
      id: "bkg_2",
      member_id: "mem_1",
      venue_id: "ven_2",
      status: "paid",
      charges: [fee("BookingFee", "0.50000"), fee("SeatFee", "30.00000")],
    },
    bkg_3: {
      id: "bkg_3",
      member_id: "mem_1",
      venue_id: "ven_1",
      status: "paid",
      charges: [fee("BookingFee", "0.50000"), fee("SeatFee", "15.00000")],
    },
  },
};

const tools = [
  toolSpec(
    "void_booking",
    { booking_id: { type: "string", description: "The booking." } },
    ["booking_id"],
    "Asks to void a booking. For venues with refund_policy instant (Dome) the booking is voided at once: the SeatFee and any CoverFee are marked waived and credited back to the member's balance (the BookingFee is kept). Other venues review each request first. Returns the Booking.",
  ),
];

describe("charges handed back by name, under a condition", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("credits the named charges there are and marks them, where the condition holds", async () => {
    const env = await serviceEnvironment(sandbox, tools, data, "Today is 2025-06-10 and the time is 12:00 UTC.");
    const { state } = await env.run([
      { tool: "void_booking", arguments: { booking_id: "bkg_1" } },
      { tool: "void_booking", arguments: { booking_id: "bkg_3" } },
    ]);
    // 10 + 20 + 2 (bkg_1), + 15 (bkg_3, no cover): the booking fee stays charged.
    expect((state.members as Record<string, Record<string, unknown>>).mem_1?.balance).toBe("47.00000");
    const fees = (state.bookings as Record<string, Record<string, unknown>>).bkg_1?.charges as { type: string; waived: boolean }[];
    expect(fees.map((f) => [f.type, f.waived])).toEqual([
      ["BookingFee", false],
      ["SeatFee", true],
      ["CoverFee", true],
    ]);
  });

  it("leaves money and charges alone where the condition does not hold", async () => {
    const env = await serviceEnvironment(sandbox, tools, data, "Today is 2025-06-10 and the time is 12:00 UTC.");
    const { state } = await env.run([{ tool: "void_booking", arguments: { booking_id: "bkg_2" } }]);
    expect((state.members as Record<string, Record<string, unknown>>).mem_1?.balance).toBe("10.00000");
    const fees = (state.bookings as Record<string, Record<string, unknown>>).bkg_2?.charges as { waived: boolean }[];
    expect(fees.every((f) => !f.waived)).toBe(true);
  });
});
