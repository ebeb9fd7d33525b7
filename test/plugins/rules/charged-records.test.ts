// A payment kept as a record of the table its verb names: "the amount due is charged to the card"
// on a bill makes a charge of that bill, for what the bill still owes, to the card given.
import { describe, expect, it } from "vitest";
import type { DomainState } from "../../../lib/contracts/domain-state.ts";
import type { ServiceModel } from "../../../lib/contracts/tool-rules.ts";
import { inferTables } from "../../../lib/data-pack/tables.ts";
import { deriveRules } from "../../../plugins/rules/derive.ts";
import { toolSpec } from "../../support/tools.ts";

const utility: DomainState = {
  accounts: { acct_1: { id: "acct_1", name: "Rhea" }, acct_2: { id: "acct_2", name: "Sol" } },
  bills: {
    bill_31: { id: "bill_31", account: "acct_1", amount_due: 4200, status: "open" },
    bill_32: { id: "bill_32", account: "acct_2", amount_due: 0, status: "paid" },
    bill_33: { id: "bill_33", account: "acct_1", amount_due: 0, status: "paid" },
  },
  charges: {
    chg_501: {
      id: "chg_501",
      bill: "bill_32",
      account: "acct_2",
      amount: 3900,
      card: "card_9",
      kind: "card_charge",
      status: "succeeded",
      created_at: "2025-05-01T10:00:00Z",
    },
    chg_502: {
      id: "chg_502",
      bill: "bill_33",
      account: "acct_1",
      amount: 1500,
      card: "card_8",
      kind: "card_charge",
      status: "succeeded",
      created_at: "2025-05-02T10:00:00Z",
    },
    chg_503: {
      id: "chg_503",
      bill: "bill_33",
      account: "acct_1",
      amount: 700,
      card: "card_8",
      kind: "card_charge",
      status: "failed",
      created_at: "2025-05-02T09:00:00Z",
    },
  },
};

const spec = toolSpec(
  "settle_bill",
  {
    bill: { type: "string", description: "The bill id." },
    card: { type: "string", description: "Card to use instead of the account's." },
  },
  ["bill"],
  "Settles an open bill: the amount due is charged to card if given, otherwise to the account's card. The bill becomes paid.",
);

describe("a payment kept as a record of the table its verb names", () => {
  it("inserts a charge of the bill for what it still owes, to the card given", () => {
    const service = deriveRules("d", [spec], inferTables(utility), utility, null).tools[0]?.service as ServiceModel;
    const insert = service.effects.find((e) => e.rule.kind === "insert")?.rule;
    expect(insert).toMatchObject({ kind: "insert", table: "charges" });
    if (insert?.kind !== "insert") return;
    expect(insert.fields.bill).toEqual({ kind: "read", place: { hops: [], path: ["id"] } });
    expect(insert.fields.account).toEqual({ kind: "read", place: { hops: [], path: ["account"] } });
    expect(insert.fields.amount).toEqual({ kind: "read", place: { hops: [], path: ["amount_due"] } });
    expect(insert.fields.card).toEqual({ kind: "parameter", name: "card", otherwise: null });
    expect(insert.fields.kind).toEqual({ kind: "constant", value: "card_charge" });
  });
});

describe("a payment's values read off the payments like it", () => {
  const charge = (id: string, bill: string | null, status: string, memo: string) => ({
    id,
    bill,
    amount: 100,
    status,
    captured: status === "succeeded",
    memo,
    created_at: "2025-05-01T10:00:00Z",
  });
  const ledger: DomainState = {
    bills: {
      b1: { id: "b1", amount_due: 900, status: "open" },
      b2: { id: "b2", amount_due: 0, status: "paid" },
    },
    charges: {
      c1: charge("c1", "b2", "succeeded", "Payment for bill"),
      c2: charge("c2", "b2", "succeeded", "Payment for bill"),
      c3: charge("c3", "b2", "succeeded", "Payment for bill"),
      c4: charge("c4", "b2", "failed", "Payment for bill"),
      c5: charge("c5", null, "succeeded", "Locksmith call-out"),
    },
  };
  const settle = toolSpec(
    "settle_bill",
    { bill: { type: "string", description: "The bill id." } },
    ["bill"],
    "Settles an open bill: the amount due is charged to the account's card. The bill becomes paid.",
  );

  it("holds what every payment of a record in the first state holds (captured, its text), not what failed or one-off ones do", () => {
    const service = deriveRules("d", [settle], inferTables(ledger), ledger, null).tools[0]?.service as ServiceModel;
    const insert = service.effects.find((e) => e.rule.kind === "insert")?.rule;
    if (insert?.kind !== "insert") throw new Error("no charge inserted");
    expect(insert.fields.captured).toEqual({ kind: "constant", value: true });
    expect(insert.fields.memo).toEqual({ kind: "constant", value: "Payment for bill" });
  });
});
