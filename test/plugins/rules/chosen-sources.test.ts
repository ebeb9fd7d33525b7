// A source of funds one value names among several kinds: "voucher_or_card: a saved card id or a
// voucher id … for a voucher the credit is reduced by the amount and a SPEND voucher entry is
// appended"; "if the charge was paid from a voucher, the voucher's credit grows by the amount and
// a RETURN voucher entry is appended". The move and the entry happen on the calls whose value names
// a voucher, and on no other.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const money = { type: "object", properties: { amount: { type: "integer" }, currency: { type: "string" } } };
const data = {
  vouchers: {
    "vch:aa": { id: "vch:aa", credit: { amount: 3000, currency: "EUR" }, state: "LIVE" },
    "vch:bb": { id: "vch:bb", credit: { amount: 500, currency: "EUR" }, state: "LIVE" },
  },
  voucher_entries: {
    ve_101: { id: "ve_101", kind: "LOAD", voucher_id: "vch:aa", desk: "D1", created_at: "2025-01-01T10:00:00Z" },
    ve_102: { id: "ve_102", kind: "SPEND", voucher_id: "vch:bb", desk: "D1", created_at: "2025-01-02T10:00:00Z" },
    ve_103: { id: "ve_103", kind: "RETURN", voucher_id: "vch:bb", desk: "D1", created_at: "2025-01-03T10:00:00Z" },
  },
  charges: {
    ch_1: { id: "ch_1", amount_money: { amount: 1200, currency: "EUR" }, source: { kind: "VOUCHER", ref: "vch:aa" }, returned: 0 },
    ch_2: { id: "ch_2", amount_money: { amount: 800, currency: "EUR" }, source: { kind: "CARD", ref: "card:9" }, returned: 0 },
    ch_3: { id: "ch_3", amount_money: { amount: 400, currency: "EUR" }, source: { kind: "CARD", ref: "card:7" }, returned: 0 },
  },
};

const spend = toolSpec(
  "take_charge",
  { voucher_or_card: { type: "string", description: 'A saved card id ("card:…") or a voucher id ("vch:…").' }, amount_money: money },
  ["voucher_or_card", "amount_money"],
  "Takes a charge. Effects: a charge is stored. For a voucher the credit is reduced by the amount; a SPEND voucher entry is appended. Returns the charge.",
);
const giveBack = toolSpec(
  "return_charge",
  { charge_id: { type: "string" }, amount_money: money },
  ["charge_id", "amount_money"],
  "Returns part of a charge. Effects: returned grows by the amount. If the charge was paid from a voucher, the voucher's credit grows by the amount and a RETURN voucher entry is appended. Returns the charge.",
);

describe("a source of funds a value names", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("moves the voucher an argument names and appends its entry, and leaves vouchers alone for a card", async () => {
    const env = await serviceEnvironment(sandbox, [spend, giveBack], data);
    const { outcomes, state } = await env.run([
      { tool: "take_charge", arguments: { voucher_or_card: "vch:aa", amount_money: { amount: 700, currency: "EUR" } } },
      { tool: "take_charge", arguments: { voucher_or_card: "card:9", amount_money: { amount: 900, currency: "EUR" } } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true]);
    const vouchers = state.vouchers as Record<string, { credit: { amount: number } }>;
    expect(vouchers["vch:aa"]?.credit.amount).toBe(2300);
    expect(vouchers["vch:bb"]?.credit.amount).toBe(500);
    const entries = Object.values(state.voucher_entries as Record<string, Record<string, unknown>>);
    expect(entries).toHaveLength(4);
    expect(entries.at(-1)).toMatchObject({ id: "ve_104", kind: "SPEND", voucher_id: "vch:aa", desk: "D1" });
  });

  it("gives back to the voucher the charge's own source names, and to none for a card charge", async () => {
    const env = await serviceEnvironment(sandbox, [spend, giveBack], data);
    const { outcomes, state } = await env.run([
      { tool: "return_charge", arguments: { charge_id: "ch_1", amount_money: { amount: 200, currency: "EUR" } } },
      { tool: "return_charge", arguments: { charge_id: "ch_2", amount_money: { amount: 100, currency: "EUR" } } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true]);
    expect((state.vouchers as Record<string, { credit: { amount: number } }>)["vch:aa"]?.credit.amount).toBe(3200);
    const entries = Object.values(state.voucher_entries as Record<string, Record<string, unknown>>);
    expect(entries).toHaveLength(4);
    expect(entries.at(-1)).toMatchObject({ kind: "RETURN", voucher_id: "vch:aa" });
  });
});
