// A write whose key names an entry of a list its records hold, not a record of a table of its own
// (`change_booking_seat(seat, row)`, the seats kept in `bookings[…].seats.data`): the booking that
// holds the seat is what the call acts on, and the seat gets the fields its parameters are named for.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inferTables } from "../../../lib/data-pack/tables.ts";
import { entrySubject } from "../../../lib/service-tools/entry-subject.ts";
import { toolText } from "../../../lib/service-tools/tool-text.ts";
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

const theatre = () => ({
  bookings: {
    bk_1: {
      id: "bk_1",
      status: "confirmed",
      seats: {
        object: "list",
        data: [
          { id: "st_11", row: "A", price: 4000 },
          { id: "st_12", row: "A", price: 4000 },
        ],
      },
    },
    bk_2: { id: "bk_2", status: "confirmed", seats: { object: "list", data: [{ id: "st_21", row: "C", price: 3000 }] } },
  },
  shows: { sh_1: { id: "sh_1", title: "Hamlet" } },
});

const moveSeat = toolSpec(
  "change_booking_seat",
  {
    seat: { type: "string", description: 'The booked seat id, e.g. "st_11".' },
    row: { type: "string", description: "The new row." },
    note: { type: "string", description: "Optional note." },
  },
  ["seat", "row"],
  "Moves one booked seat to another row.",
);

describe("a call on an entry of a list its records hold", () => {
  it("acts on the record holding the entry the key names", () => {
    const tables = inferTables(theatre());
    const found = entrySubject(toolText(moveSeat, []).parameters, tables);
    expect(found && { table: found.table.name, parameter: found.parameter, path: found.path, keyField: found.keyField }).toEqual({
      table: "bookings",
      parameter: "seat",
      path: ["seats", "data"],
      keyField: "id",
    });
  });

  it("names no entry when no list is called as the parameter is", () => {
    const tables = inferTables(theatre());
    const other = toolSpec("rename_show", { show_title: { type: "string", description: "Title" } }, ["show_title"], "Renames.");
    expect(entrySubject(toolText(other, []).parameters, tables)).toBeNull();
  });

  it("sets the entry's field from the parameter of its name, and refuses a key no record holds", async () => {
    const env = await serviceEnvironment(sandbox, [moveSeat], theatre());
    const service = env.rules.tools[0]?.service;
    expect(service).toMatchObject({
      kind: "change",
      table: "bookings",
      keyParameter: "seat",
      entry: { path: ["seats", "data"], keyField: "id" },
    });
    const { outcomes, state } = await env.run([
      { tool: "change_booking_seat", arguments: { seat: "st_12", row: "D" } },
      { tool: "change_booking_seat", arguments: { seat: "st_99", row: "D" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false]);
    const bookings = state.bookings as Record<string, { seats: { data: unknown[] } }>;
    expect(bookings.bk_1?.seats.data).toEqual([
      { id: "st_11", row: "A", price: 4000 },
      { id: "st_12", row: "D", price: 4000 },
    ]);
    expect(bookings.bk_2?.seats.data).toEqual([{ id: "st_21", row: "C", price: 3000 }]);
  });
});
