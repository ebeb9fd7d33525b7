// A ledger tool whose description gives each value of its kind parameter a part of its own
// ('entry_kind "spent": … subtracts the booking's cost from the allowance of its category';
// 'entry_kind "reset": sets the member's allowance of category to exactly `value`'): the member's
// map entry moves (or is set) only on calls that give that kind, under the parameter written out
// or under the category of the booking the call names.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

describe("balances an entry moves by its kind", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  const data = () => ({
    members: {
      m1: { id: "m1", name: "Ines", allowances: { gym: 10, pool: 4 } },
      m2: { id: "m2", name: "Otto", allowances: { gym: 3, pool: 0 } },
    },
    bookings: {
      b1: { id: "b1", member_id: "m1", category: "pool", cost: { unit: "visits", amount: 3 }, state: "confirmed" },
      b2: { id: "b2", member_id: "m2", category: "gym", cost: { unit: "visits", amount: 1 }, state: "confirmed" },
    },
    entries: [{ id: 1, member_id: "m1", category: "gym", entry_kind: "spent", value: -2, booking_id: null, note: null }],
  });
  const tools = [
    toolSpec(
      "add_ledger_entry",
      {
        member_id: { type: "string" },
        entry_kind: { type: "string", enum: ["spent", "reset"] },
        booking_id: { type: "string" },
        category: { type: "string" },
        value: { type: "number" },
        note: { type: "string" },
      },
      ["member_id", "entry_kind"],
      'Add an entry to a member\'s ledger. entry_kind "spent": records a confirmed booking of this member — subtracts the booking\'s cost from the allowance of its category; booking_id is required. entry_kind "reset": sets the member\'s allowance of `category` to exactly `value` (the new allowance, not a change); a note is required. Returns the new entry.',
    ),
  ];

  it("subtracts the named booking's cost under its category, on the kind that says so only", async () => {
    const env = await serviceEnvironment(sandbox, tools, data());
    const { outcomes, state } = await env.run([
      { tool: "add_ledger_entry", arguments: { member_id: "m1", entry_kind: "spent", booking_id: "b1" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true]);
    const members = state.members as Record<string, { allowances: unknown }>;
    expect(members.m1?.allowances).toEqual({ gym: 10, pool: 1 });
    expect(members.m2?.allowances).toEqual({ gym: 3, pool: 0 });
  });

  it("sets the entry a parameter names to the value given, on the other kind", async () => {
    const env = await serviceEnvironment(sandbox, tools, data());
    const { outcomes, state } = await env.run([
      { tool: "add_ledger_entry", arguments: { member_id: "m2", entry_kind: "reset", category: "pool", value: 7, note: "agreed" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true]);
    const members = state.members as Record<string, { allowances: unknown }>;
    expect(members.m2?.allowances).toEqual({ gym: 3, pool: 7 });
    expect(members.m1?.allowances).toEqual({ gym: 10, pool: 4 });
  });
});
