// Phrasings met on packs written blind after the rules stage was built, each on a small sample of
// our own: keys passed under the name the data gives the field that holds them (`customer`,
// `invoice`, as Stripe names them), ids whose name does not say their entity but whose description
// does ("The employee who approves it"), and a "never" inside the relative clause of a tool's own
// opening sentence, which describes the record rather than refusing it.
import { describe, expect, it } from "vitest";
import type { DomainState } from "../../../lib/contracts/domain-state.ts";
import type { ServiceModel } from "../../../lib/contracts/tool-rules.ts";
import type { ToolSpec } from "../../../lib/contracts/tool-spec.ts";
import { inferTables } from "../../../lib/data-pack/tables.ts";
import { keyTable } from "../../../lib/service-tools/subject.ts";
import { deriveRules } from "../../../plugins/rules/derive.ts";
import { toolSpec } from "../../support/tools.ts";

const S = (description: string) => ({ type: "string", description });
const I = (description: string) => ({ type: "integer", description });

function serviceOf(data: DomainState, spec: ToolSpec, policy: string | null = null): ServiceModel {
  const tables = inferTables(data);
  const tool = deriveRules("d", [spec], tables, data, policy).tools[0];
  return tool?.service as ServiceModel;
}

const billing: DomainState = {
  customers: {
    cus_1001: { id: "cus_1001", name: "Maya Lin", balance: 0 },
    cus_1002: { id: "cus_1002", name: "Omar Haddad", balance: -500 },
  },
  invoices: {
    in_4001: { id: "in_4001", customer: "cus_1001", status: "open", amount_due: 1200 },
    in_4002: { id: "in_4002", customer: "cus_1002", status: "paid", amount_due: 0 },
    in_4003: { id: "in_4003", customer: "cus_1001", status: "draft", amount_due: 900 },
    in_4004: { id: "in_4004", customer: "cus_1002", status: "void", amount_due: 0 },
    in_4005: { id: "in_4005", customer: "cus_1002", status: "uncollectible", amount_due: 300 },
  },
  // The charges name the invoice they paid under `invoice`: that is what tells a parameter of that name is an invoice's key.
  charges: {
    ch_6001: { id: "ch_6001", invoice: "in_4002", customer: "cus_1002", amount: 1500 },
    ch_6002: { id: "ch_6002", invoice: "in_4005", customer: "cus_1002", amount: 200 },
  },
};

describe("keys under the data's own field names", () => {
  it("reads `invoice` as the key of the invoice a tool changes, not an option of a new invoice", () => {
    const s = serviceOf(
      billing,
      toolSpec(
        "void_invoice",
        { invoice: S('The invoice id, e.g. "in_4001".') },
        ["invoice"],
        "Voids an open or uncollectible invoice that should never have been issued, such as a duplicate. The invoice stays on record with status void.",
      ),
    );
    expect(s.kind).toBe("change");
    expect(s.table).toBe("invoices");
    expect(s.keyParameter).toBe("invoice");
    // The "never" of the relative clause refuses nothing: the tool voids open and uncollectible invoices.
    const states = s.requires.filter((r) => r.rule.kind === "status-in").map((r) => r.rule);
    expect(states).toEqual([expect.objectContaining({ values: ["open", "uncollectible"] })]);
  });

  it("reads `customer` as a reference to customers because the data's `customer` fields hold their keys", () => {
    const tables = inferTables(billing);
    expect(keyTable({ name: "customer", type: "string" }, tables)?.name).toBe("customers");
    // A name that is no field's stays unread; an id-suffixed name keeps its own reading.
    expect(keyTable({ name: "memo", type: "string" }, tables)).toBeUndefined();
  });
});

describe("ids whose description names their entity", () => {
  const staff: DomainState = {
    employees: {
      "101": { id: 101, name: "Ada Haddad", supervisor_id: null },
      "102": { id: 102, name: "Ben Carter", supervisor_id: 101 },
    },
    leave_requests: { "3001": { id: 3001, employee_id: 102, status: "requested", decided_by: null } },
  };
  const tables = inferTables(staff);

  it("finds the table of `approver_id` from 'The employee who approves it'", () => {
    expect(keyTable({ name: "approver_id", type: "integer", description: "The employee who approves it." }, tables)?.name).toBe(
      "employees",
    );
    expect(keyTable({ name: "approver_id", type: "integer", description: "Id of the employee approving." }, tables)?.name).toBe(
      "employees",
    );
  });

  it("reads nothing from a description whose head is another thing ('Reward tier id from the employee list')", () => {
    expect(keyTable({ name: "tier_id", type: "string", description: "Reward tier id from the employee list." }, tables)).toBeUndefined();
    expect(keyTable({ name: "approver_id", type: "integer" }, tables)).toBeUndefined();
  });

  it("makes such an id a reference the tool checks", () => {
    const s = serviceOf(
      staff,
      toolSpec(
        "approve_leave_request",
        { request_id: I("The leave request."), approver_id: I("The employee who approves it.") },
        ["request_id", "approver_id"],
        "Approve a requested leave request. Its status becomes approved.",
      ),
    );
    expect(s.requires.map((r) => r.rule)).toContainEqual({ kind: "record-exists", parameter: "approver_id", table: "employees" });
  });
});

describe("free text and permissions", () => {
  const folios: DomainState = {
    folios: {
      "F-1": { id: "F-1", status: "Open", balance: { amount: 0 }, charges: [{ id: "F-1-C1", name: "Night 1", amount: 90 }] },
      "F-2": { id: "F-2", status: "Closed", balance: { amount: 0 }, charges: [{ id: "F-2-C1", name: "Night 1", amount: 90 }] },
    },
  };

  it("never reads a free-text parameter that speaks of a charge as naming one of the record's charges", () => {
    const s = serviceOf(
      folios,
      toolSpec(
        "post_folio_charge",
        {
          folioId: S('Folio id, e.g. "F-1".'),
          name: S('What is charged, as it should appear on the bill, e.g. "Minibar".'),
          amount: { type: "number", description: "Gross amount." },
        },
        ["folioId", "name", "amount"],
        "Posts an extra charge to an Open folio. The folio's balance goes down by the amount.",
      ),
    );
    expect(s.requires.map((r) => r.rule.kind)).not.toContain("entry-of");
  });

  it("reads a policy's permission as no limit: the description's states stand", () => {
    const stays: DomainState = {
      reservations: {
        "R-1": { id: "R-1", status: "Confirmed", arrival: "2025-09-20", departure: "2025-09-22" },
        "R-2": { id: "R-2", status: "InHouse", arrival: "2025-09-17", departure: "2025-09-19" },
        "R-3": { id: "R-3", status: "CheckedOut", arrival: "2025-09-10", departure: "2025-09-12" },
      },
    };
    const s = serviceOf(
      stays,
      toolSpec(
        "amend_reservation",
        { reservationId: S("Reservation id."), arrival: S("New arrival date."), departure: S("New departure date.") },
        ["reservationId", "arrival", "departure"],
        "Changes the stay dates of a Confirmed or InHouse reservation.",
      ),
      "- Stay changes (amend_reservation): Confirmed reservations may change arrival and departure; in-house guests may only change their departure.",
    );
    const states = s.requires.filter((r) => r.rule.kind === "status-in").map((r) => r.rule);
    expect(states).toEqual([expect.objectContaining({ values: ["Confirmed", "InHouse"] })]);
  });
});

describe("what a short description changes", () => {
  it("reads 'adds a credit to a customer's balance' as no new customer", () => {
    const data: DomainState = {
      ...billing,
      // Customers keep a description too: a new customer could be made from the call's arguments.
      customers: Object.fromEntries(Object.entries(billing.customers ?? {}).map(([k, r]) => [k, { ...r, description: null }])),
      balance_transactions: {
        txn_1: { id: "txn_1", customer: "cus_1001", amount: -500, description: "Goodwill" },
        txn_2: { id: "txn_2", customer: "cus_1002", amount: -200, description: "Outage" },
      },
    };
    const s = serviceOf(
      data,
      toolSpec(
        "create_balance_transaction",
        { customer: S('The customer id, e.g. "cus_1001".'), amount: I("Negative cents."), description: S("Why.") },
        ["customer", "amount", "description"],
        "Adds a goodwill credit to a customer's credit balance, which is used on their next payments.",
      ),
    );
    expect(s.kind).toBe("create");
    expect(s.effects.map((r) => r.rule)).not.toContainEqual(expect.objectContaining({ kind: "insert", table: "customers" }));
  });

  it("drops a state made up from the verb when the description says what changes and never names it", () => {
    const folios: DomainState = {
      folios: {
        "F-1": { id: "F-1", status: "Open", balance: { amount: 50 }, payments: [{ id: "F-1-P1", amount: 100 }] },
        "F-2": { id: "F-2", status: "Closed", balance: { amount: 0 }, payments: [{ id: "F-2-P1", amount: 90 }] },
      },
    };
    const s = serviceOf(
      folios,
      toolSpec(
        "refund_folio_payment",
        { folioId: S("Folio id."), paymentId: S("The payment to refund."), amount: { type: "number", description: "Amount." } },
        ["folioId", "paymentId", "amount"],
        "Refunds (part of) a payment on an Open folio back to the method it was paid with. The folio's balance goes down by the amount.",
      ),
    );
    expect(s.effects.map((r) => r.rule)).not.toContainEqual(
      expect.objectContaining({ kind: "set", place: { hops: [], path: ["status"] } }),
    );
    expect(s.effects.map((r) => r.rule.kind)).toContain("add");
  });
});

describe("states said with a plain 'not'", () => {
  it("reads 'a subscription that is not canceled' as every state but canceled", () => {
    const subs: DomainState = {
      subscriptions: {
        sub_1: { id: "sub_1", status: "active", cancel_at_period_end: false },
        sub_2: { id: "sub_2", status: "canceled", cancel_at_period_end: false },
        sub_3: { id: "sub_3", status: "trialing", cancel_at_period_end: false },
        sub_4: { id: "sub_4", status: "past_due", cancel_at_period_end: false },
      },
      invoices: { in_1: { id: "in_1", subscription: "sub_1", status: "open" } },
    };
    const s = serviceOf(
      subs,
      toolSpec(
        "update_subscription",
        { subscription: S('The subscription id, e.g. "sub_1".'), cancel_at_period_end: { type: "boolean", description: "Cancel later." } },
        ["subscription"],
        "Changes a subscription that is not canceled: schedule or undo cancellation at the end of the current period.",
      ),
    );
    const states = s.requires.filter((r) => r.rule.kind === "status-in").map((r) => r.rule);
    expect(states).toEqual([expect.objectContaining({ values: ["active", "past_due", "trialing"] })]);
  });
});

describe("times written as the data writes them", () => {
  it("writes new times at the data's own offset from UTC (a hotel in Berlin writes +02:00)", () => {
    const stays: DomainState = {
      reservations: {
        "R-1": { id: "R-1", status: "Confirmed", checkInTime: null, created: "2025-08-11T19:22:00+02:00" },
        "R-2": { id: "R-2", status: "InHouse", checkInTime: "2025-09-15T15:42:00+02:00", created: "2025-08-12T09:02:00+02:00" },
        "R-3": { id: "R-3", status: "Canceled", checkInTime: null, created: "2025-08-01T11:00:00+02:00" },
        "R-4": { id: "R-4", status: "InHouse", checkInTime: "2025-09-16T18:20:00+02:00", created: "2025-08-02T10:00:00+02:00" },
      },
    };
    const tables = inferTables(stays);
    expect(tables[0]?.fields.find((f) => f.name === "created")?.utcOffset).toBe("+02:00");
    const s = serviceOf(
      stays,
      toolSpec(
        "check_in_reservation",
        { reservationId: S("Reservation id.") },
        ["reservationId"],
        "Checks the guest of a Confirmed reservation in. The reservation's status becomes InHouse with the check-in time set.",
      ),
    );
    expect(s.effects.map((r) => r.rule)).toContainEqual({
      kind: "set",
      place: { hops: [], path: ["checkInTime"] },
      value: { kind: "now", wholeSeconds: true, utcOffset: "+02:00" },
    });
  });
});
