// What a record "gets" from a call, said as one list ("the booking gets chosen_seat, a ticket_stub
// ("stub_…"), cover, status confirmed, and a new Pass …"), and a balance "charged" a list of named
// fees ("the BookingFee (the member's fee_per_booking), the SeatFee (the price) and, when cover is
// given, a CoverFee of cover_rate × the covered value, at least cover_minimum"), on a box office.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const S = (description: string) => ({ type: "string", description });

const seat = (id: string, booking: string, row: string, price: string) => ({ id, booking_id: booking, row, price });
const data = {
  counters: { next_id: 130 },
  members: {
    mem_101: { id: "mem_101", name: "Ines", balance: "80.00000", fee_per_booking: "0.50000", cover_rate: "0.01", cover_minimum: "2.00" },
    mem_102: { id: "mem_102", name: "Otto", balance: "10.00000", fee_per_booking: "0.00000", cover_rate: "0.01", cover_minimum: "2.00" },
  },
  bookings: {
    bkg_103: {
      id: "bkg_103",
      member_id: "mem_101",
      status: "draft",
      seats: [seat("seat_104", "bkg_103", "A", "20.00"), seat("seat_105", "bkg_103", "B", "35.00")],
      chosen_seat: null,
      ticket_stub: null,
      cover: null,
      updated_at: "2025-06-01T10:00:00Z",
    },
    bkg_106: {
      id: "bkg_106",
      member_id: "mem_101",
      status: "confirmed",
      seats: [seat("seat_107", "bkg_106", "C", "15.00")],
      chosen_seat: seat("seat_107", "bkg_106", "C", "15.00"),
      ticket_stub: { id: "stub_108", object: "Stub", size: "small", printed_at: "2025-06-02T10:00:00Z" },
      cover: "300.00",
      updated_at: "2025-06-02T10:00:00Z",
    },
    bkg_110: {
      id: "bkg_110",
      member_id: "mem_102",
      status: "draft",
      seats: [seat("seat_111", "bkg_110", "D", "25.00")],
      chosen_seat: null,
      ticket_stub: null,
      cover: null,
      updated_at: "2025-06-01T10:00:00Z",
    },
  },
  passes: {
    pass_109: { id: "pass_109", booking_id: "bkg_106", member_id: "mem_101", status: "issued", created_at: "2025-06-02T10:00:00Z" },
  },
};

const tools = [
  toolSpec(
    "confirm_booking",
    { booking_id: S("The booking."), seat_id: S("One of the booking's seats."), cover: S('Value to cover, e.g. "200.00".') },
    ["booking_id", "seat_id"],
    'Confirms a booking with one of its seats. The member\'s balance is charged the BookingFee (the member\'s fee_per_booking), the SeatFee (the price) and, when cover is given, a CoverFee of cover_rate × the covered value, at least cover_minimum (e.g. 1% of "300.00" = 3.00). Refused when the balance does not cover the total. On success the booking gets chosen_seat, a ticket_stub ("stub_…"), cover, status confirmed, and a new Pass ("pass_…", numbered after the stub) with status issued. Returns the Booking.',
  ),
];

describe("a list a record gets, and a balance charged a list of fees", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("moves the record to the listed state, copies the entry picked, keys the struct and then the new record from the counter", async () => {
    const env = await serviceEnvironment(sandbox, tools, data, "Today is 2025-06-10 and the time is 12:00 UTC.");
    const { outcomes, state } = await env.run([{ tool: "confirm_booking", arguments: { booking_id: "bkg_103", seat_id: "seat_105" } }]);
    expect(outcomes[0]?.ok).toBe(true);
    const booking = (state.bookings as Record<string, Record<string, unknown>>).bkg_103;
    expect(booking).toMatchObject({ status: "confirmed", chosen_seat: { id: "seat_105", price: "35.00" }, cover: null });
    expect(booking?.ticket_stub).toMatchObject({ id: "stub_130" });
    // The pass is numbered after the stub: the counter gave 130 to the stub, 131 to the pass.
    expect((state.passes as Record<string, unknown>).pass_131).toMatchObject({ booking_id: "bkg_103", status: "issued" });
    expect(state.counters).toMatchObject({ next_id: 132 });
    // 80 less the booking fee 0.50 and the seat's 35.00, as the data writes the balance.
    expect((state.members as Record<string, Record<string, unknown>>).mem_101?.balance).toBe("44.50000");
  });

  it("charges the optional fee only when its parameter is given, at its floor", async () => {
    const env = await serviceEnvironment(sandbox, tools, data, "Today is 2025-06-10 and the time is 12:00 UTC.");
    const { state } = await env.run([
      { tool: "confirm_booking", arguments: { booking_id: "bkg_103", seat_id: "seat_104", cover: "50.00" } },
    ]);
    const members = state.members as Record<string, Record<string, unknown>>;
    // 1% of 50.00 is 0.50, below the 2.00 floor: 80 - 0.50 - 20.00 - 2.00.
    expect(members.mem_101?.balance).toBe("57.50000");
    expect((state.bookings as Record<string, Record<string, unknown>>).bkg_103?.cover).toBe("50.00");
  });

  it("refuses a call the balance does not cover, and changes nothing", async () => {
    const env = await serviceEnvironment(sandbox, tools, data, "Today is 2025-06-10 and the time is 12:00 UTC.");
    const { outcomes, state } = await env.run([{ tool: "confirm_booking", arguments: { booking_id: "bkg_110", seat_id: "seat_111" } }]);
    expect(outcomes[0]?.ok).toBe(false);
    expect((state.members as Record<string, Record<string, unknown>>).mem_102?.balance).toBe("10.00000");
    expect((state.bookings as Record<string, Record<string, unknown>>).bkg_110?.status).toBe("draft");
    expect(state.counters).toMatchObject({ next_id: 130 });
  });
});
