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
