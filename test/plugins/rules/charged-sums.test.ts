// A fee stated by its formula and charged to a balance ("The fee is cover_rate × amount, at least
// cover_minimum, charged to the member's balance"), refused when the balance does not cover it, and
// the amount bounded by a quoted value in a list of refusals ("the amount is over "1000.00""), on a
// box office.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const fee = (type: string, amount: string) => ({ object: "Charge", type, amount, settled: true });
const data = {
  members: {
    mem_1: { id: "mem_1", name: "Ines", balance: "40.00000", cover_rate: "0.02", cover_minimum: "1.50" },
    mem_2: { id: "mem_2", name: "Otto", balance: "1.00000", cover_rate: "0.02", cover_minimum: "1.50" },
  },
  bookings: {
    bkg_1: { id: "bkg_1", member_id: "mem_1", cover: null, charges: [fee("SeatFee", "20.00000")], updated_at: "2025-06-01T10:00:00Z" },
    bkg_2: { id: "bkg_2", member_id: "mem_2", cover: null, charges: [fee("SeatFee", "12.00000")], updated_at: "2025-06-02T10:00:00Z" },
    bkg_3: {
      id: "bkg_3",
      member_id: "mem_1",
      cover: "80.00",
      charges: [fee("SeatFee", "9.50000"), fee("CoverFee", "1.60000")],
      updated_at: "2025-06-03T10:00:00Z",
    },
  },
};

const tools = [
  toolSpec(
    "cover_booking",
    {
      booking_id: { type: "string", description: "The booking." },
      amount: { type: "string", description: 'Value to cover, e.g. "200.00".' },
    },
    ["booking_id", "amount"],
    "Adds cover to a booking. The fee is cover_rate × amount, at least cover_minimum, charged to the member's balance and added to the booking's charges as a CoverFee; cover is set to the amount. Refused when the amount is over \"1000.00\", or the balance does not cover the fee. Returns the Booking.",
  ),
];

describe("a fee stated by its formula, charged to a balance", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("takes the rate of the amount, or the floor when that is more, off the balance", async () => {
    const env = await serviceEnvironment(sandbox, tools, data, "Today is 2025-06-10 and the time is 12:00 UTC.");
    const { outcomes, state } = await env.run([
      { tool: "cover_booking", arguments: { booking_id: "bkg_1", amount: "500.00" } },
      { tool: "cover_booking", arguments: { booking_id: "bkg_3", amount: "20.00" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true]);
    // 2% of 500.00 is 10.00; 2% of 20.00 is 0.40, below the 1.50 floor.
    expect((state.members as Record<string, Record<string, unknown>>).mem_1?.balance).toBe("28.50000");
    // The fee kept on the booking as the data writes its charges: kind spelt as theirs, five decimals.
    expect((state.bookings as Record<string, Record<string, unknown>>).bkg_1?.charges).toEqual([
      fee("SeatFee", "20.00000"),
      fee("CoverFee", "10.00000"),
    ]);
  });

  it("refuses an amount over the quoted cap, and a fee the balance does not cover", async () => {
    const env = await serviceEnvironment(sandbox, tools, data, "Today is 2025-06-10 and the time is 12:00 UTC.");
    const { outcomes, state } = await env.run([
      { tool: "cover_booking", arguments: { booking_id: "bkg_1", amount: "1000.01" } },
      { tool: "cover_booking", arguments: { booking_id: "bkg_2", amount: "10.00" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([false, false]);
    expect((state.members as Record<string, Record<string, unknown>>).mem_2?.balance).toBe("1.00000");
  });
});
