// Numbers the data writes as decimal strings ("150.00", as many APIs write money) are numbers to
// move: "from_wallet's cash falls and to_wallet's cash rises by amount" moves both, each its own
// way, and each stays a decimal string with its decimals.
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

const purses = () => ({
  wallets: {
    w_1: { id: "w_1", owner: "Tove", cash: "80.00" },
    w_2: { id: "w_2", owner: "Tove", cash: "10.50" },
  },
  shifts: {
    sh_1: { id: "sh_1", from_wallet: "w_2", to_wallet: "w_1", amount: "5.00", created_at: "2025-03-01T10:00:00Z" },
  },
});

const shift = toolSpec(
  "create_shift",
  {
    from_wallet: { type: "string", description: "Id of the wallet the money leaves." },
    to_wallet: { type: "string", description: "Id of the wallet the money goes to." },
    amount: { type: "string", description: "Amount as a decimal string, e.g. '5.00'." },
  },
  ["from_wallet", "to_wallet", "amount"],
  "Shifts money between two wallets at once: from_wallet's cash falls and to_wallet's cash rises by amount.",
);

describe("numbers written as decimal strings", () => {
  it("move each its own way and stay decimal strings", async () => {
    const env = await serviceEnvironment(sandbox, [shift], purses());
    const { outcomes, state } = await env.run([
      { tool: "create_shift", arguments: { from_wallet: "w_1", to_wallet: "w_2", amount: "30.25" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true]);
    const wallets = state.wallets as Record<string, { cash: string }>;
    expect([wallets.w_1?.cash, wallets.w_2?.cash]).toEqual(["49.75", "40.75"]);
  });
});
