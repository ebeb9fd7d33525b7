// A wallet's ledger entry made by a courtesy-credit call: its kind from the entries of its own shape
// (no order referred to: "courtesy"), its closing balance as the call leaves the wallet (a name
// that says "what the change leaves"), and a cap said in dollars bounding the negative amount.
import { describe, expect, it } from "vitest";
import type { DomainState } from "../../../lib/contracts/domain-state.ts";
import type { ServiceModel } from "../../../lib/contracts/tool-rules.ts";
import { inferTables } from "../../../lib/data-pack/tables.ts";
import { deriveRules } from "../../../plugins/rules/derive.ts";
import { toolSpec } from "../../support/tools.ts";

const store: DomainState = {
  wallets: {
    w1: { id: "w1", owner: "Ana", balance: -500 },
    w2: { id: "w2", owner: "Bo", balance: -300 },
    w3: { id: "w3", owner: "Cy", balance: 0 },
  },
  orders: {
    o1: { id: "o1", wallet: "w2", total: 1200 },
    o2: { id: "o2", wallet: "w3", total: 800 },
  },
  ledger_entries: {
    le_11: { id: "le_11", wallet: "w1", amount: -500, kind: "courtesy", order: null, note: "late parcel", closing_balance: -500 },
    le_12: { id: "le_12", wallet: "w2", amount: -300, kind: "order_refund", order: "o1", note: null, closing_balance: -300 },
  },
};

const spec = toolSpec(
  "create_ledger_entry",
  {
    wallet: { type: "string", description: "The wallet id." },
    amount: { type: "integer", description: "Negative integer cents, e.g. -1500." },
    note: { type: "string", description: "Why." },
  },
  ["wallet", "amount"],
  "Records a courtesy credit on a wallet. Each courtesy credit is limited to $20.00. The wallet's balance changes by the amount.",
);

describe("a ledger entry shaped as the data's entries of its kind", () => {
  const service = deriveRules("d", [spec], inferTables(store), store, null).tools[0]?.service as ServiceModel;

  it("takes its kind from the entries that, like it, refer to no order", () => {
    expect(service.fields?.kind).toEqual({ kind: "constant", value: "courtesy" });
  });

  it("writes the closing balance as the call leaves the wallet", () => {
    const closing = service.effects.find((e) => e.rule.kind === "set" && e.rule.place.path.join(".") === "closing_balance");
    expect(closing?.rule).toMatchObject({ value: { kind: "read", after: true, place: { path: ["balance"] } } });
  });

  it("bounds the negative amount by the dollar cap, in cents", () => {
    const cap = service.requires.find((r) => r.rule.kind === "compare");
    expect(cap?.rule).toEqual({
      kind: "compare",
      condition: { left: { kind: "parameter", name: "amount" }, op: ">=", right: { kind: "constant", value: -2000 } },
    });
  });
});
