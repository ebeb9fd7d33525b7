// A mark that moves between records: "the previously default card gets is_default false, the chosen
// card gets is_default true and wallet.default_card_id is set to it". The record the pointer named
// loses the mark, the one the call names gains it, the pointer names it; a tool that moves it "as in"
// another tool does the same on the record its own (optional) parameter names, when it is given.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Rng } from "../../../kernel/rng.ts";
import { applyRules } from "../../../lib/contracts/domain-rules.ts";
import type { DomainState } from "../../../lib/contracts/domain-state.ts";
import type { ServiceModel } from "../../../lib/contracts/tool-rules.ts";
import { inferTables } from "../../../lib/data-pack/tables.ts";
import { serviceCall } from "../../../lib/domain-model/service-arguments.ts";
import { deriveRules } from "../../../plugins/rules/derive.ts";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const S = (description: string) => ({ type: "string", description });
const I = (description: string) => ({ type: "integer", description });

const data = () => ({
  cards: {
    c1: { id: "c1", holder: "Ana", is_default: true, label: "Blue" },
    c2: { id: "c2", holder: "Ana", is_default: false, label: "Green" },
    c3: { id: "c3", holder: "Ana", is_default: false, label: "Gold" },
  },
  wallet: { default_card_id: "c1", total_spent: 0 },
});

const pick = toolSpec(
  "pick_card",
  { card_ids: { type: "array", items: { type: "string" }, minItems: 1, maxItems: 1, description: "Exactly one card id." } },
  ["card_ids"],
  "Make a card the one the wallet charges. Effects: the previously default card gets is_default false, the chosen card gets is_default true and wallet.default_card_id is set to it.",
);
const pay = toolSpec(
  "pay",
  { amount: I("Amount in cents."), card_id: S("Optional card to pay with.") },
  ["amount"],
  "Pay an amount from the wallet. If card_id is given the charge moves there as in pick_card; otherwise the default card pays. total_spent goes up by the amount.",
);
const label = toolSpec(
  "relabel_card",
  { card_id: S("The card."), label: S("New label.") },
  ["card_id", "label"],
  "Relabel a card: its label becomes the given one, and the card gets is_default true when it is the only card.",
);

function rulesOf(tool: string): ServiceModel {
  // The wallet is one record, as a folder's `wallet.json` holding one gives it.
  const d = { ...data(), wallet: { current: data().wallet } } as unknown as DomainState;
  const tables = inferTables(d, { lists: {}, singles: ["wallet"] });
  const rules = deriveRules("d", [pick, pay, label], tables, d, null);
  return rules.tools.find((t) => t.tool === tool)?.service as ServiceModel;
}

describe("a mark that moves from one record to another", () => {
  it("clears it on the record the pointer named, sets it on the named one, and points there", () => {
    const s = rulesOf("pick_card");
    const pointer = { kind: "read", place: { hops: [], path: ["default_card_id"] } };
    const chosen = { kind: "parameter", name: "card_ids", path: ["0"] };
    expect(s.effects.map((r) => r.rule)).toEqual([
      {
        kind: "set",
        place: { hops: [], path: ["is_default"], root: { table: "cards", key: pointer } },
        value: { kind: "constant", value: false },
      },
      {
        kind: "set",
        place: { hops: [], path: ["is_default"], root: { table: "cards", key: chosen } },
        value: { kind: "constant", value: true },
      },
      { kind: "set", place: { hops: [], path: ["default_card_id"] }, value: chosen },
    ]);
    // A pointer that names nothing yet: nothing loses the mark.
    expect(s.effects[0]?.when).toEqual([{ left: pointer, op: "given" }]);
  });

  it("moves it as another tool says, on the calls that give the record, and acts on the one record, not the card", () => {
    const s = rulesOf("pay");
    expect(s.table).toBe("wallet");
    expect(s.keyParameter).toBeUndefined();
    const given = { left: { kind: "parameter", name: "card_id" }, op: "given" };
    const moves = s.effects.filter(
      (r) => JSON.stringify(r.rule).includes("is_default") || JSON.stringify(r.rule).includes("default_card_id"),
    );
    expect(moves).toHaveLength(3);
    for (const r of moves) expect(r.when).toContainEqual(given);
    // card_id is where the mark goes, not an owner the wallet must already have.
    expect(JSON.stringify(s.requires)).not.toContain('"op":"=="');
  });

  it("reads no move where no record is said to lose the mark", () => {
    expect(JSON.stringify(rulesOf("relabel_card").effects)).not.toContain("is_default");
  });
});

describe("a moving mark, end to end", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("leaves exactly one card marked, the one the pointer names", async () => {
    const env = await serviceEnvironment(sandbox, [pick, pay], data());
    const { outcomes, state } = await env.run([
      { tool: "pick_card", arguments: { card_ids: ["c2"] } },
      { tool: "pay", arguments: { amount: 500 } },
      { tool: "pay", arguments: { amount: 100, card_id: "c3" } },
    ]);
    expect(outcomes.map((o) => (o.ok ? true : JSON.stringify(o)))).toEqual([true, true, true]);
    const cards = state.cards as Record<string, { is_default: boolean }>;
    expect(Object.entries(cards).map(([k, c]) => [k, c.is_default])).toEqual([
      ["c1", false],
      ["c2", false],
      ["c3", true],
    ]);
    expect(state.wallet).toEqual({ default_card_id: "c3", total_spent: 600 });
  });

  it("builds a valid call that names a record there is, for the one element of an array of keys", async () => {
    const env = await serviceEnvironment(sandbox, [pick], data());
    const model = applyRules(env.schema, env.rules).tools.find((t) => t.tool === "pick_card");
    if (!model) throw new Error("no pick_card");
    const state = { ...data(), wallet: { current: data().wallet } } as unknown as DomainState;
    const built = serviceCall({
      model,
      schema: env.schema,
      state,
      parameters: pick.parameters,
      clock: "2025-03-03T09:00:00Z",
      rng: Rng.forRun(1),
    });
    expect(built?.args.card_ids).toEqual(["c1"]);
  });
});
