// A number the data keeps as a total of the record's own lists (a tab's `due` is its extras less
// its payments; a rental's `price` the sum of its daily fees): a call that changes one of those
// lists leaves it computed again; an owner's total of its records' numbers follows; a new daily
// entry is stamped with the clock, not with the entry it copies.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const fee = (day: string, amount: number) => ({ day, fee: { value: amount }, added_at: "2025-01-02T08:00:00Z" });
const data = {
  rentals: {
    r_1: {
      id: "r_1",
      status: "OPEN",
      start: "2025-03-01",
      end: "2025-03-03",
      days: [fee("2025-03-01", 40), fee("2025-03-02", 40)],
      price: 80,
      due: 70,
    },
    r_2: { id: "r_2", status: "OPEN", start: "2025-03-04", end: "2025-03-05", days: [fee("2025-03-04", 55)], price: 55, due: 55 },
    r_3: {
      id: "r_3",
      status: "OPEN",
      start: "2025-03-02",
      end: "2025-03-05",
      days: [fee("2025-03-02", 30), fee("2025-03-03", 30), fee("2025-03-04", 30)],
      price: 90,
      due: 90,
    },
  },
  tabs: {
    t_1: {
      id: "t_1",
      rental_id: "r_1",
      extras: [
        { what: "helmet", kind: "Gear", cost: 10 },
        { what: "insurance", kind: "Service", cost: 80 },
      ],
      paid: [{ sum: 20 }],
      due: 70,
    },
    t_2: {
      id: "t_2",
      rental_id: "r_2",
      extras: [
        { what: "bell", cost: 5 },
        { what: "lock", cost: 50 },
      ],
      paid: [],
      due: 55,
    },
    t_3: { id: "t_3", rental_id: "r_3", extras: [{ what: "map", kind: "Service", cost: 90 }], paid: [], due: 90 },
  },
};

const clear = toolSpec(
  "void_rental",
  { rental_id: { type: "string" } },
  ["rental_id"],
  "Voids an OPEN rental. Its status becomes VOID and the open gear extras are removed from its tab.",
);
const extend = toolSpec(
  "extend_rental",
  { rental_id: { type: "string" }, end: { type: "string", format: "date" } },
  ["rental_id", "end"],
  "Moves the end date of an OPEN rental.",
);

describe("totals kept over a record's own lists", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("computes a tab's due again when its extras go, and the rental's due with it", async () => {
    const env = await serviceEnvironment(sandbox, [clear], data);
    const { outcomes, state } = await env.run([{ tool: "void_rental", arguments: { rental_id: "r_1" } }]);
    expect(outcomes.map((o) => o.ok)).toEqual([true]);
    const tabs = state.tabs as Record<string, Record<string, unknown>>;
    const rentals = state.rentals as Record<string, Record<string, unknown>>;
    expect(tabs.t_1).toMatchObject({ extras: [{ what: "insurance", kind: "Service", cost: 80 }], due: 60 });
    expect(rentals.r_1).toMatchObject({ status: "VOID", due: 60 });
    expect(tabs.t_2).toEqual(data.tabs.t_2);
  });

  it("sums a rental's daily fees again when days are added, each new day stamped with the clock", async () => {
    const env = await serviceEnvironment(sandbox, [extend], data, "Today is 2025-02-20 and the time is 10:00 UTC.");
    const { outcomes, state } = await env.run([{ tool: "extend_rental", arguments: { rental_id: "r_2", end: "2025-03-07" } }]);
    expect(outcomes.map((o) => o.ok)).toEqual([true]);
    const r2 = (state.rentals as Record<string, Record<string, unknown>>).r_2 as Record<string, unknown>;
    expect(r2.price).toBe(165);
    expect(r2.days).toEqual([
      fee("2025-03-04", 55),
      { ...fee("2025-03-05", 55), added_at: "2025-02-20T10:00:00Z" },
      { ...fee("2025-03-06", 55), added_at: "2025-02-20T10:00:00Z" },
    ]);
  });
});
