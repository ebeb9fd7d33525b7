// A code written from a number the data counts: "a confirmation number ("CNF" followed by the
// service's next confirmation number)", "a ticket_code (the venue's code_prefix followed by the
// service's next ticket number)": a quoted or read prefix, then the counter's number, which moves on.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const data = {
  counters: { next_confirmation: 500, next_ticket_number: 9100 },
  venues: {
    ven_1: { id: "ven_1", name: "Lyric", code_prefix: "SW" },
    ven_2: { id: "ven_2", name: "Odeon", code_prefix: "HX" },
  },
  bookings: {
    bkg_1: { id: "bkg_1", venue_id: "ven_2", status: "open", confirmation: null, ticket_code: null },
    bkg_2: { id: "bkg_2", venue_id: "ven_1", status: "confirmed", confirmation: "CNF499", ticket_code: "SW9099" },
  },
};

const tools = [
  toolSpec(
    "confirm_booking",
    { booking_id: { type: "string", description: "The booking." } },
    ["booking_id"],
    "Confirms an open booking. The booking becomes confirmed with a confirmation number (\"CNF\" followed by the service's next confirmation number) and a ticket_code (the venue's code_prefix followed by the service's next ticket number). Returns the Booking.",
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
    const { outcomes, state } = await env.run([{ tool: "confirm_booking", arguments: { booking_id: "bkg_1" } }]);
    expect(outcomes[0]?.ok).toBe(true);
    expect((state.bookings as Record<string, Record<string, unknown>>).bkg_1).toMatchObject({
      status: "confirmed",
      confirmation: "CNF500",
      ticket_code: "HX9100",
    });
    expect(state.counters).toEqual({ next_confirmation: 501, next_ticket_number: 9101 });
  });
});
