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
