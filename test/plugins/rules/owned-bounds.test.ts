// "amount may not exceed from_wallet's spendable_balance": the bound is the field of the record the
// parameter written before "'s" names, not that parameter.
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

const purse = () => ({
  wallets: {
    w_1: { id: "w_1", owner: "Tove", balance: "80.00", spendable_balance: "50.00" },
    w_2: { id: "w_2", owner: "Tove", balance: "10.00", spendable_balance: "10.00" },
  },
  moves: {
    mv_1: { id: "mv_1", from_wallet: "w_2", to_wallet: "w_1", amount: "5.00", created_at: "2025-03-01T10:00:00Z" },
  },
});

const move = toolSpec(
  "create_move",
  {
    from_wallet: { type: "string", description: "Id of the wallet the money leaves." },
    to_wallet: { type: "string", description: "Id of the wallet the money goes to." },
    amount: { type: "string", description: "Amount as a decimal string, e.g. '5.00'." },
  },
  ["from_wallet", "to_wallet", "amount"],
  "Moves money between two wallets. amount may not exceed from_wallet's spendable_balance.",
);

describe("a bound on a field of the record a parameter names", () => {
  it("compares the amount with that record's field", async () => {
    const env = await serviceEnvironment(sandbox, [move], purse());
    const bound = env.rules.tools[0]?.service.requires.find((r) => r.rule.kind === "compare")?.rule;
    expect(bound).toMatchObject({
      condition: { left: { kind: "parameter", name: "amount" }, op: "<=", right: { kind: "read", place: { path: ["spendable_balance"] } } },
    });
    const { outcomes } = await env.run([
      { tool: "create_move", arguments: { from_wallet: "w_1", to_wallet: "w_2", amount: "60.00" } },
      { tool: "create_move", arguments: { from_wallet: "w_1", to_wallet: "w_2", amount: "50.00" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([false, true]);
  });
});
