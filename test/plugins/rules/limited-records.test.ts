// "PAYOUT (cash-out) slips are limited to spendable_balance": the call's amount may not exceed the
// value named, and only on calls giving the enum value written before the records.
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

const arcade = () => ({
  players: {
    pl_1: { id: "pl_1", name: "Oskar", tokens: "40.00", spendable_balance: "25.00" },
  },
  slips: {
    sl_1: { id: "sl_1", player_id: "pl_1", kind: "TOPUP", amount: "10.00", created_at: "2025-03-01T10:00:00Z" },
  },
});

const slip = toolSpec(
  "create_slip",
  {
    player_id: { type: "string", description: "The player's id." },
    kind: { type: "string", enum: ["TOPUP", "PAYOUT"] },
    amount: { type: "string", description: "Amount as a decimal string." },
  },
  ["player_id", "kind", "amount"],
  "Writes a slip for a player. TOPUP slips add nothing until redeemed. PAYOUT (cash-out) slips are limited to spendable_balance and are paid at once.",
);

describe("records a text limits to a value", () => {
  it("bounds the amount of the calls of the kind named", async () => {
    const env = await serviceEnvironment(sandbox, [slip], arcade());
    const { outcomes } = await env.run([
      { tool: "create_slip", arguments: { player_id: "pl_1", kind: "PAYOUT", amount: "30.00" } },
      { tool: "create_slip", arguments: { player_id: "pl_1", kind: "TOPUP", amount: "30.00" } },
      { tool: "create_slip", arguments: { player_id: "pl_1", kind: "PAYOUT", amount: "20.00" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([false, true, true]);
  });
});

// "Sells are limited to units_free": the records are calls giving an enum value ("sell"), the
// number bounded is the parameter the limit's name qualifies (`units`), and the limit is a field
// of the record of another table the call's parameters pick out (the grower's plot of that crop).
const exchange = () => ({
  growers: { g_1: { id: "g_1", name: "Ilse Varga" }, g_2: { id: "g_2", name: "Bo Lind" } },
  crops: { c_rye: { id: "c_rye", name: "Winter rye" }, c_oat: { id: "c_oat", name: "Naked oat" } },
  plots: {
    p_1: { id: "p_1", grower_id: "g_1", crop_id: "c_rye", units: "30", units_free: "6" },
    p_2: { id: "p_2", grower_id: "g_2", crop_id: "c_oat", units: "12", units_free: "12" },
  },
  bids: {
    b_1: { id: "b_1", grower_id: "g_1", crop_id: "c_rye", side: "sell", units: "24", status: "open" },
  },
});

const bid = toolSpec(
  "place_bid",
  {
    grower_id: { type: "string", description: "The grower's id." },
    crop_id: { type: "string", description: "The crop's id." },
    side: { type: "string", enum: ["buy", "sell"] },
    units: { type: "string", description: "Units, as a decimal string." },
  },
  ["grower_id", "crop_id", "side", "units"],
  "Places a bid on the exchange for a grower. Sells are limited to units_free (no selling short).",
);

describe("calls of an enum value a text limits to a field of a record they pick out", () => {
  it("bounds the number the limit's name qualifies, on those calls only", async () => {
    const env = await serviceEnvironment(sandbox, [bid], exchange());
    const { outcomes } = await env.run([
      { tool: "place_bid", arguments: { grower_id: "g_1", crop_id: "c_rye", side: "sell", units: "10" } },
      { tool: "place_bid", arguments: { grower_id: "g_1", crop_id: "c_oat", side: "sell", units: "1" } },
      { tool: "place_bid", arguments: { grower_id: "g_1", crop_id: "c_rye", side: "buy", units: "50" } },
      { tool: "place_bid", arguments: { grower_id: "g_1", crop_id: "c_rye", side: "sell", units: "6" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([false, false, true, true]);
  });
});
