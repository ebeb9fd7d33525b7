// Money moved as a pair of ledger entries: "two Entries are written, first on the source wallet with
// amount `-amount`, then on the destination wallet with amount `+amount`", and "both wallets' main and
// spare balances change by the amount". Each side is the key its role word names (the plain key is
// the source when the other says destination); an opening "(`hold` false or omitted)" is the
// condition; the short form "(source `-amount` first, then destination `+amount`)" reads the same.
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
  wallets: {
    w_1: { id: "w_1", owner: "Ana" },
    w_2: { id: "w_2", owner: "Ana" },
    w_3: { id: "w_3", owner: "Bo" },
  },
  tallies: {
    w_1: { wallet_id: "w_1", main_balance: 500, spare_balance: 500 },
    w_2: { wallet_id: "w_2", main_balance: 100, spare_balance: 80 },
    w_3: { wallet_id: "w_3", main_balance: 0, spare_balance: 0 },
  },
  entries: {
    e_1: { id: "e_1", wallet_id: "w_1", amount: 500, memo: "opening", created_at: "2025-03-01T08:00:00Z" },
    e_2: { id: "e_2", wallet_id: "w_2", amount: 100, memo: "opening", created_at: "2025-03-01T08:00:00Z" },
  },
  moves: {
    mv_1: { id: "mv_1", wallet_id: "w_2", destination_wallet_id: "w_1", amount: 50, memo: "lunch", status: "held" },
    mv_2: { id: "mv_2", wallet_id: "w_1", destination_wallet_id: "w_2", amount: 20, memo: "back", status: "done" },
  },
});

const create = toolSpec(
  "create_move",
  {
    wallet_id: S("Source wallet the coins leave."),
    destination_wallet_id: S("Destination wallet."),
    amount: I("Coins to move."),
    memo: S("What it is for."),
    hold: { type: "boolean", description: "Hold the move for approval." },
  },
  ["wallet_id", "destination_wallet_id", "amount", "memo"],
  "Create a move between two wallets. Without a hold (`hold` false or omitted) the move is created with status `done`: two Entries are written, first on the source wallet with amount `-amount`, then on the destination wallet with amount `+amount`. Both wallets' main and spare balances change by the amount.",
);
const settle = toolSpec(
  "settle_move",
  { move_id: S("The held move.") },
  ["move_id"],
  "Settle a held move: it becomes `done` and two entries are written as for an immediate move (source `-amount` first, then destination `+amount`).",
);

function rulesOf(tool: string): ServiceModel {
  const d = data() as unknown as DomainState;
  const rules = deriveRules("d", [create, settle], inferTables(d), d, null);
  return rules.tools.find((t) => t.tool === tool)?.service as ServiceModel;
}

describe("a pair of ledger entries", () => {
  it("writes the source's entry with the amount taken away and the destination's with it added, under the flag's condition", () => {
    const s = rulesOf("create_move");
    const inserts = s.effects.filter((r) => r.rule.kind === "insert");
    expect(inserts).toHaveLength(2);
    const unheld = [{ left: { kind: "parameter", name: "hold" }, op: "!=", right: { kind: "constant", value: true } }];
    for (const r of inserts) expect(r.when).toEqual(unheld);
    const [out, into] = inserts.map((r) => (r.rule.kind === "insert" ? r.rule.fields : {}));
    expect(out?.wallet_id).toEqual({ kind: "parameter", name: "wallet_id" });
    expect(out?.amount).toEqual({
      kind: "arith",
      op: "-",
      left: { kind: "constant", value: 0 },
      right: { kind: "parameter", name: "amount" },
    });
    expect(into?.wallet_id).toEqual({ kind: "parameter", name: "destination_wallet_id" });
    expect(into?.amount).toEqual({ kind: "parameter", name: "amount" });
  });

  it("moves each named balance of each side, said in the sentence after the pair", () => {
    const moves = rulesOf("create_move")
      .effects.filter((r) => r.rule.kind === "add")
      .map((r) => (r.rule.kind === "add" ? [r.rule.place.hops[0]?.field, r.rule.place.path[0], r.rule.sign] : []));
    expect(moves).toEqual([
      ["wallet_id", "main_balance", -1],
      ["wallet_id", "spare_balance", -1],
      ["destination_wallet_id", "main_balance", 1],
      ["destination_wallet_id", "spare_balance", 1],
    ]);
  });

  it("reads the short form on a change, with the record's own keys and amount", () => {
    const inserts = rulesOf("settle_move").effects.filter((r) => r.rule.kind === "insert");
    expect(inserts.map((r) => (r.rule.kind === "insert" ? [r.rule.fields.wallet_id, r.rule.fields.amount] : []))).toEqual([
      [
        { kind: "read", place: { hops: [], path: ["wallet_id"] } },
        { kind: "arith", op: "-", left: { kind: "constant", value: 0 }, right: { kind: "read", place: { hops: [], path: ["amount"] } } },
      ],
      [
        { kind: "read", place: { hops: [], path: ["destination_wallet_id"] } },
        { kind: "read", place: { hops: [], path: ["amount"] } },
      ],
    ]);
  });
});

describe("a pair of entries, end to end", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("posts both entries and moves both wallets' balances; a held move posts nothing", async () => {
    const env = await serviceEnvironment(sandbox, [create], data());
    const { outcomes, state } = await env.run([
      { tool: "create_move", arguments: { wallet_id: "w_1", destination_wallet_id: "w_3", amount: 70, memo: "rent" } },
      { tool: "create_move", arguments: { wallet_id: "w_1", destination_wallet_id: "w_2", amount: 5, memo: "later", hold: true } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true]);
    const entries = Object.values(state.entries as Record<string, { wallet_id: string; amount: number }>).slice(2);
    expect(entries.map((e) => [e.wallet_id, e.amount])).toEqual([
      ["w_1", -70],
      ["w_3", 70],
    ]);
    expect(state.tallies).toMatchObject({
      w_1: { main_balance: 430, spare_balance: 430 },
      w_2: { main_balance: 100, spare_balance: 80 },
      w_3: { main_balance: 70, spare_balance: 70 },
    });
  });
});
