// Changes written as one sentence of two, the second leaning on the first: "paid goes up by the
// amount and due goes down by it" is two moves by the same amount, not one move by the other field;
// a clause that opens with one value of a parameter ('"credit" deducts …') holds on the calls that give it.
import { describe, expect, it } from "vitest";
import type { DomainState } from "../../../lib/contracts/domain-state.ts";
import type { ServiceModel } from "../../../lib/contracts/tool-rules.ts";
import type { ToolSpec } from "../../../lib/contracts/tool-spec.ts";
import { inferTables } from "../../../lib/data-pack/tables.ts";
import { deriveRules } from "../../../plugins/rules/derive.ts";
import { toolSpec } from "../../support/tools.ts";

const S = (description: string) => ({ type: "string", description });
const I = (description: string) => ({ type: "integer", description });

function serviceOf(data: DomainState, spec: ToolSpec): ServiceModel {
  return deriveRules("d", [spec], inferTables(data), data, null).tools[0]?.service as ServiceModel;
}

const invoices: DomainState = {
  invoices: {
    inv_1: { id: "inv_1", status: "open", total: 300, paid: 100, due: 200 },
    inv_2: { id: "inv_2", status: "open", total: 50, paid: 0, due: 50 },
    inv_3: { id: "inv_3", status: "paid", total: 80, paid: 80, due: 0 },
  },
};

describe("two changes joined by 'and'", () => {
  it("reads 'paid goes up by the amount and due goes down by it' as two moves by the amount", () => {
    const s = serviceOf(
      invoices,
      toolSpec(
        "pay_invoice",
        { invoice_id: S("Invoice id"), amount: I("Amount to pay") },
        ["invoice_id", "amount"],
        "Pay towards an invoice. paid goes up by the amount and due goes down by it.",
      ),
    );
    const moves = s.effects.map((r) => r.rule).filter((r) => r.kind === "add");
    expect(moves).toEqual([
      { kind: "add", place: { hops: [], path: ["paid"] }, amount: { kind: "parameter", name: "amount" }, sign: 1 },
      { kind: "add", place: { hops: [], path: ["due"] }, amount: { kind: "parameter", name: "amount" }, sign: -1 },
    ]);
  });
});

describe("what one value of a parameter does", () => {
  it("reads '\"credit\" deducts the amount from the customer's credit_balance' as a move on the calls that pay by credit", () => {
    const data: DomainState = {
      customers: { c1: { id: "c1", credit_balance: 50 }, c2: { id: "c2", credit_balance: 0 } },
      invoices: {
        inv_1: { id: "inv_1", customer_id: "c1", due: 200 },
        inv_2: { id: "inv_2", customer_id: "c2", due: 50 },
      },
    };
    const s = serviceOf(
      data,
      toolSpec(
        "pay_invoice",
        { invoice_id: S("Invoice id"), amount: I("Amount to pay"), method: { type: "string", enum: ["card", "credit"] } },
        ["invoice_id", "amount", "method"],
        'Pay towards an invoice. "credit" deducts the amount from the customer\'s credit_balance.',
      ),
    );
    const credit = s.effects.find((r) => r.rule.kind === "add" && r.rule.place.path.join(".") === "credit_balance");
    expect(credit?.rule).toEqual({
      kind: "add",
      place: { hops: [{ field: "customer_id", table: "customers" }], path: ["credit_balance"] },
      amount: { kind: "parameter", name: "amount" },
      sign: -1,
    });
    expect(credit?.when).toEqual([{ left: { kind: "parameter", name: "method" }, op: "==", right: { kind: "constant", value: "credit" } }]);
  });
});

describe("lists and gaps", () => {
  const orders: DomainState = {
    orders: {
      o1: { id: "o1", status: "new", deposit_in_cents: 500, deposit_paid_in_cents: 0, deposit_held_in_cents: 0, to_be_paid_in_cents: 900 },
      o2: { id: "o2", status: "reserved", deposit_in_cents: 0, deposit_paid_in_cents: 0, deposit_held_in_cents: 0, to_be_paid_in_cents: 0 },
      o3: {
        id: "o3",
        status: "canceled",
        deposit_in_cents: 100,
        deposit_paid_in_cents: 100,
        deposit_held_in_cents: 0,
        to_be_paid_in_cents: 0,
      },
    },
  };
  const s = () =>
    serviceOf(
      orders,
      toolSpec(
        "hold_order",
        { order_id: S("Order id") },
        ["order_id"],
        'Hold an order. deposit_paid_in_cents and deposit_held_in_cents go up by the deposit. The status becomes "reserved" and to_be_paid_in_cents 0.',
      ),
    );

  it("moves every field a list names, by the record's number a unit-less word names ('the deposit': deposit_in_cents)", () => {
    const deposit = { kind: "read", place: { hops: [], path: ["deposit_in_cents"] } };
    expect(
      s()
        .effects.map((r) => r.rule)
        .filter((r) => r.kind === "add"),
    ).toEqual([
      { kind: "add", place: { hops: [], path: ["deposit_paid_in_cents"] }, amount: deposit, sign: 1 },
      { kind: "add", place: { hops: [], path: ["deposit_held_in_cents"] }, amount: deposit, sign: 1 },
    ]);
  });

  it("gives a second change that leaves its verb unsaid the first one's ('becomes \"reserved\" and to_be_paid_in_cents 0')", () => {
    expect(s().effects.map((r) => r.rule)).toContainEqual({
      kind: "set",
      place: { hops: [], path: ["to_be_paid_in_cents"] },
      value: { kind: "constant", value: 0 },
    });
  });
});
