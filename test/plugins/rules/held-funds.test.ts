// Funds held for a move that waits: "with `hold: true` … a Reservation (status `open`, amount
// `-amount`) holds the funds on the source wallet, lowering its spare balance only". The hold is a
// record of its own table for the side its words name, in the state they quote, under the flag the
// sentence opens with; the balance it lowers goes down by the amount; a call without the flag holds nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DomainState } from "../../../lib/contracts/domain-state.ts";
import type { ServiceModel } from "../../../lib/contracts/tool-rules.ts";
import { inferTables } from "../../../lib/data-pack/tables.ts";
import { deriveRules } from "../../../plugins/rules/derive.ts";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const S = (description: string) => ({ type: "string", description });
const I = (description: string) => ({ type: "integer", description });

const data = () => ({
  wallets: { w_1: { id: "w_1", owner: "Ana" }, w_2: { id: "w_2", owner: "Ana" } },
  tallies: {
    w_1: { wallet_id: "w_1", main_balance: 500, spare_balance: 500 },
    w_2: { wallet_id: "w_2", main_balance: 100, spare_balance: 80 },
  },
  reservations: {
    r_1: { id: "r_1", wallet_id: "w_2", amount: -30, status: "open" },
    r_2: { id: "r_2", wallet_id: "w_1", amount: -10, status: "released" },
  },
  moves: {
    mv_1: { id: "mv_1", wallet_id: "w_2", destination_wallet_id: "w_1", amount: 30, status: "held" },
    mv_2: { id: "mv_2", wallet_id: "w_1", destination_wallet_id: "w_2", amount: 10, status: "done" },
  },
});

const create = toolSpec(
  "create_move",
  {
    wallet_id: S("Source wallet the coins leave."),
    destination_wallet_id: S("Destination wallet."),
    amount: I("Coins to move."),
    hold: { type: "boolean", description: "Hold the move for approval." },
  },
  ["wallet_id", "destination_wallet_id", "amount"],
  "Create a move between two wallets. With `hold: true` the move is created with status `held` and no coins move yet: a Reservation (status `open`, amount `-amount`) holds the funds on the source wallet, lowering its spare balance only.",
);

describe("funds held for a move that waits", () => {
  it("makes a hold for the source side, in the quoted state, under the flag, and lowers the balance it names", () => {
    const d = data() as unknown as DomainState;
    const s = deriveRules("d", [create], inferTables(d), d, null).tools[0]?.service as ServiceModel;
    const held = [{ left: { kind: "parameter", name: "hold" }, op: "==", right: { kind: "constant", value: true } }];
    const insert = s.effects.find((r) => r.rule.kind === "insert");
    expect(insert?.when).toEqual(held);
    expect(insert?.rule).toMatchObject({
      table: "reservations",
      fields: {
        wallet_id: { kind: "parameter", name: "wallet_id" },
        amount: { kind: "arith", op: "-", left: { kind: "constant", value: 0 }, right: { kind: "parameter", name: "amount" } },
        status: { kind: "constant", value: "open" },
      },
    });
    const lowered = s.effects.filter((r) => r.rule.kind === "add");
    expect(lowered.map((r) => [r.rule, r.when])).toEqual([
      [
        {
          kind: "add",
          place: { hops: [{ field: "wallet_id", table: "tallies" }], path: ["spare_balance"] },
          amount: { kind: "parameter", name: "amount" },
          sign: -1,
        },
        held,
      ],
    ]);
  });
});

describe("held funds, end to end", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("holds on the flagged call only", async () => {
    const env = await serviceEnvironment(sandbox, [create], data());
    const { outcomes, state } = await env.run([
      { tool: "create_move", arguments: { wallet_id: "w_1", destination_wallet_id: "w_2", amount: 70, hold: true } },
      { tool: "create_move", arguments: { wallet_id: "w_1", destination_wallet_id: "w_2", amount: 5 } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true]);
    const holds = Object.values(state.reservations as Record<string, { wallet_id: string; amount: number; status: string }>).slice(2);
    expect(holds.map((h) => [h.wallet_id, h.amount, h.status])).toEqual([["w_1", -70, "open"]]);
    expect(state.tallies).toMatchObject({ w_1: { main_balance: 500, spare_balance: 430 }, w_2: { main_balance: 100, spare_balance: 80 } });
  });
});

describe("a fee the policy's fee table sets", () => {
  const send = toolSpec(
    "create_move",
    {
      wallet_id: S("Wallet the coins leave."),
      amount: I("Coins to send."),
      speed: { type: "string", enum: ["slow", "fast"], description: "How fast it arrives." },
    },
    ["wallet_id", "amount", "speed"],
    "Send coins out of a wallet. The fee is charged immediately as a separate posted Entry (amount `-fee`). Net effect on the wallet: spare balance drops by amount + fee, main balance drops by the fee.",
  );
  const policy = "# Policy\n\n- Fee table:\n  - Outgoing move, `slow`: 10 cents\n  - Outgoing move, `fast`: 40 cents\n";
  const ledger = () => ({
    ...data(),
    entries: {
      e_1: { id: "e_1", wallet_id: "w_1", amount: 500, memo: "opening" },
      e_2: { id: "e_2", wallet_id: "w_2", amount: 100, memo: "opening" },
    },
  });
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("charges the fee of the chosen value as an entry of its own and moves the balances the words name", async () => {
    const env = await serviceEnvironment(sandbox, [send], ledger(), policy);
    const { outcomes, state } = await env.run([
      { tool: "create_move", arguments: { wallet_id: "w_1", amount: 100, speed: "fast" } },
      { tool: "create_move", arguments: { wallet_id: "w_2", amount: 20, speed: "slow" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true]);
    const fees = Object.values(state.entries as Record<string, { wallet_id: string; amount: number }>).slice(2);
    expect(fees.map((e) => [e.wallet_id, e.amount])).toEqual([
      ["w_1", -40],
      ["w_2", -10],
    ]);
    expect(state.tallies).toMatchObject({ w_1: { main_balance: 460, spare_balance: 360 }, w_2: { main_balance: 90, spare_balance: 50 } });
  });

  it("charges nothing where the policy sets no fee for every value", () => {
    const d = ledger() as unknown as DomainState;
    const s = deriveRules("d", [send], inferTables(d), d, "- Fee table:\n  - Outgoing move, `slow`: 10 cents\n").tools[0]
      ?.service as ServiceModel;
    expect(s.effects.filter((r) => r.rule.kind === "insert" || r.rule.kind === "add")).toEqual([]);
  });
});
