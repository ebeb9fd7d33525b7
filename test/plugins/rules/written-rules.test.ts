// Rules as API references write them, each on a small sample of our own: states a parameter sets
// ("only solved tickets can be closed"), states named beside the one a tool leads to, transitions
// written as arrows, sources that contradict each other, entries written out as literals, counters
// moved by one, enum parameters that are no list's entries, and new records shaped as the data's.
import { describe, expect, it } from "vitest";
import type { DomainState } from "../../../lib/contracts/domain-state.ts";
import type { ServiceModel } from "../../../lib/contracts/tool-rules.ts";
import type { ToolSpec } from "../../../lib/contracts/tool-spec.ts";
import { inferTables } from "../../../lib/data-pack/tables.ts";
import { deriveRules } from "../../../plugins/rules/derive.ts";
import { toolSpec } from "../../support/tools.ts";

const S = (description: string, extra: Record<string, unknown> = {}) => ({ type: "string", description, ...extra });
const I = (description: string) => ({ type: "integer", description });

function serviceOf(data: DomainState, spec: ToolSpec, policy: string | null = null): ServiceModel {
  const tables = inferTables(data);
  const tool = deriveRules("d", [spec], tables, data, policy).tools[0];
  return tool?.service as ServiceModel;
}

const desk: DomainState = {
  tickets: {
    "1": { id: 1, status: "new", priority: "low", updated_at: "2025-01-01T00:00:00Z" },
    "2": { id: 2, status: "open", priority: "low", updated_at: "2025-01-01T00:00:00Z" },
    "3": { id: 3, status: "solved", priority: "high", updated_at: "2025-01-01T00:00:00Z" },
    "4": { id: 4, status: "closed", priority: "high", updated_at: "2025-01-01T00:00:00Z" },
  },
};

describe("states as references write them", () => {
  it("reads 'only solved tickets can be closed' as a condition on the calls that close, not on every update", () => {
    const s = serviceOf(
      desk,
      toolSpec(
        "update_ticket",
        { ticket_id: I("Ticket id"), status: S("New status", { enum: ["open", "solved", "closed"] }) },
        ["ticket_id"],
        'Update a ticket. Closed tickets cannot be updated; a solved ticket accepts only {status: "closed"} and only solved tickets can be closed.',
      ),
    );
    const states = s.requires.filter((r) => r.rule.kind === "status-in");
    const always = states.filter((r) => !r.when);
    expect(always.map((r) => r.rule)).toEqual([expect.objectContaining({ values: ["new", "open", "solved"] })]);
    const closing = states.find((r) => r.when);
    expect(closing?.rule).toEqual(expect.objectContaining({ values: ["solved"] }));
    expect(closing?.when).toEqual([
      { left: { kind: "parameter", name: "status" }, op: "in", right: { kind: "constant", value: ["closed"] } },
    ]);
  });

  it("never reads another field's time as a state ('updated_at of every ticket involved is set to now')", () => {
    const s = serviceOf(
      desk,
      toolSpec(
        "merge_tickets",
        { ticket_id: I("Ticket id"), target_id: I("Ticket to merge into") },
        ["ticket_id", "target_id"],
        "Merge a ticket into another. updated_at of every ticket involved is set to now.",
      ),
    );
    const states = s.effects.map((r) => r.rule).filter((r) => r.kind === "set" && r.place.path.join(".") === "status");
    expect(states).not.toContainEqual(expect.objectContaining({ value: { kind: "constant", value: "now" } }));
  });

  it("keeps a state named beside others as a precondition even when the tool leads to it", () => {
    const orders: DomainState = {
      orders: {
        o1: { id: "o1", status: "new", lines: [] },
        o2: { id: "o2", status: "concept", lines: [] },
        o3: { id: "o3", status: "reserved", lines: [] },
        o4: { id: "o4", status: "canceled", lines: [] },
      },
    };
    const s = serviceOf(
      orders,
      toolSpec(
        "add_line",
        { order_id: S("Order id"), product: S("Product") },
        ["order_id", "product"],
        'Book a product onto a new or concept order. The order\'s status becomes "concept".',
      ),
    );
    expect(s.requires.map((r) => r.rule)).toContainEqual(expect.objectContaining({ kind: "status-in", values: ["concept", "new"] }));
  });

  it("reads an arrow as the transition, and the state a name puts after the record as where it leads", () => {
    const transfers: DomainState = {
      inventory_transfers: {
        "1": { id: 1, status: "draft" },
        "2": { id: 2, status: "ready_to_ship" },
        "3": { id: 3, status: "in_transit" },
      },
    };
    const s = serviceOf(
      transfers,
      toolSpec(
        "mark_transfer_ready_to_ship",
        { transfer_id: I("Inventory transfer id") },
        ["transfer_id"],
        "Marks a draft transfer as ready to ship (status draft -> ready_to_ship). Refused unless the transfer is in draft.",
      ),
    );
    const rules = [...s.requires, ...s.effects].map((r) => r.rule);
    expect(rules).toContainEqual(expect.objectContaining({ kind: "set", value: { kind: "constant", value: "ready_to_ship" } }));
    const allowed = rules.filter((r) => r.kind === "status-in");
    expect(allowed.length).toBeGreaterThan(0);
    for (const r of allowed) expect(r).toEqual(expect.objectContaining({ values: ["draft"] }));
  });

  it("lets a policy sentence about other records give way when it contradicts the tool's own description", () => {
    const orders: DomainState = {
      orders: {
        o1: { id: "o1", status: "new" },
        o2: { id: "o2", status: "concept" },
        o3: { id: "o3", status: "started" },
        o4: { id: "o4", status: "stopped" },
      },
    };
    const s = serviceOf(
      orders,
      toolSpec("reserve_order", { order_id: S("Order id") }, ["order_id"], "Reserve a new or concept order. The status becomes reserved."),
      "Reserving an order needs enough stock: only reserved orders hold stock, and only started or stopped orders can be reserved again.",
    );
    const states = s.requires.filter((r) => r.rule.kind === "status-in" && !r.when).map((r) => (r.rule as { values: string[] }).values);
    const allowed = states.reduce((acc, v) => acc.filter((x) => v.includes(x)), ["new", "concept", "started", "stopped", "reserved"]);
    expect(allowed.sort()).toEqual(["concept", "new"]);
  });
});

describe("entries, counters and new records as references write them", () => {
  const rental: DomainState = {
    settings: { current: { next_payment_id: 12, currency: "USD" } },
    orders: {
      o1: {
        id: "o1",
        status: "reserved",
        paid: 0,
        payments: [{ id: 10, type: "deposit", method: "card", amount: 5, created_at: "2025-01-01" }],
      },
      o2: {
        id: "o2",
        status: "reserved",
        paid: 0,
        payments: [{ id: 11, type: "charge", method: "card", amount: 7, created_at: "2025-01-02" }],
      },
    },
    sections: {
      s1: { id: "s1", enrolled_count: 3, capacity: 10 },
      s2: { id: "s2", enrolled_count: 1, capacity: 10 },
    },
    enrollments: {
      e1: { id: "e1", section_id: "s1", type: "StudentEnrollment", grades: { final_grade: "A" }, created_at: "2025-01-01" },
      e2: { id: "e2", section_id: "s1", type: "StudentEnrollment", grades: { final_grade: "B" }, created_at: "2025-01-01" },
      e3: { id: "e3", section_id: "s2", type: "StudentEnrollment", grades: { final_grade: null }, created_at: "2025-01-01" },
    },
  };

  it("appends an entry written out as a literal to the record's list of that kind", () => {
    const s = serviceOf(
      rental,
      toolSpec(
        "create_payment",
        { order_id: S("Order id"), amount: { type: "integer", description: "Cents" }, method: S("How", { enum: ["card", "cash"] }) },
        ["order_id", "amount", "method"],
        'Take a payment. A payment {type "charge", method, amount, created_at today} is added, and paid goes up by the amount.',
      ),
    );
    const append = s.effects.find((r) => r.rule.kind === "append")?.rule;
    expect(append).toEqual(
      expect.objectContaining({
        place: { hops: [], path: ["payments"] },
        element: expect.objectContaining({
          type: { kind: "constant", value: "charge" },
          method: { kind: "parameter", name: "method" },
          amount: { kind: "parameter", name: "amount" },
          created_at: { kind: "today" },
        }),
      }),
    );
    // An enum parameter is the schema's to limit: no "one of the order's payments" requirement.
    expect(s.requires.map((r) => r.rule.kind)).not.toContain("entry-of");
  });

  it("moves a counter a create names by one, and shapes the new record as the data's", () => {
    const s = serviceOf(
      rental,
      toolSpec(
        "create_enrollment",
        { section_id: S("Section id") },
        ["section_id"],
        "Register a student in a section. On success creates an enrollment; increments the section's enrolled_count. Returns the new enrollment.",
      ),
    );
    expect(s.effects.map((r) => r.rule)).toContainEqual(
      expect.objectContaining({
        kind: "add",
        amount: { kind: "constant", value: 1 },
        place: expect.objectContaining({ path: ["enrolled_count"] }),
      }),
    );
    expect(s.fields).toEqual(
      expect.objectContaining({
        type: { kind: "constant", value: "StudentEnrollment" },
        grades: { kind: "object", fields: { final_grade: { kind: "constant", value: null } } },
      }),
    );
  });

  it("sets a struct part by part from a literal, and a field a given parameter replaces", () => {
    const requests: DomainState = {
      requests: {
        "1": { id: 1, state: { status: "requested", changed: "2025-01-01", changed_by: 7 }, notes: { manager: null } },
        "2": { id: 2, state: { status: "approved", changed: "2025-01-02", changed_by: 8 }, notes: { manager: "ok" } },
      },
      employees: { "7": { id: 7, name: "A" }, "8": { id: 8, name: "B" } },
    };
    const s = serviceOf(
      requests,
      toolSpec(
        "change_request_state",
        {
          request_id: I("Request id"),
          status: S("New status", { enum: ["approved", "denied"] }),
          acting_employee_id: I("Who acts"),
          note: S("A note"),
        },
        ["request_id", "status", "acting_employee_id"],
        "Approve or deny a request. Sets state {status, changed: today, changed_by: acting employee}; a note, if given, replaces notes.manager.",
      ),
    );
    const sets = s.effects.filter((r) => r.rule.kind === "set").map((r) => ({ rule: r.rule, when: r.when }));
    expect(sets).toEqual(
      expect.arrayContaining([
        {
          rule: expect.objectContaining({ place: { hops: [], path: ["state", "status"] }, value: { kind: "parameter", name: "status" } }),
          when: undefined,
        },
        { rule: expect.objectContaining({ place: { hops: [], path: ["state", "changed"] }, value: { kind: "today" } }), when: undefined },
        {
          rule: expect.objectContaining({
            place: { hops: [], path: ["state", "changed_by"] },
            value: { kind: "parameter", name: "acting_employee_id" },
          }),
          when: undefined,
        },
        {
          rule: expect.objectContaining({ place: { hops: [], path: ["notes", "manager"] }, value: { kind: "parameter", name: "note" } }),
          when: [{ left: { kind: "parameter", name: "note" }, op: "given" }],
        },
      ]),
    );
  });

  it("leaves out a state made up from the verb when the description lists the record's changes without it", () => {
    const payments: DomainState = {
      payments: {
        p1: { id: "p1", status: "COMPLETED", refunded: 0, updated_at: "2025-01-01T00:00:00Z" },
        p2: { id: "p2", status: "FAILED", refunded: 0, updated_at: "2025-01-01T00:00:00Z" },
      },
    };
    const s = serviceOf(
      payments,
      toolSpec(
        "refund_payment",
        { payment_id: S("Payment id"), amount: { type: "integer", description: "Cents" } },
        ["payment_id", "amount"],
        "Refunds part of a payment. Effects: the payment's refunded grows by the amount and updated_at is set to now.",
      ),
    );
    const sets = s.effects.map((r) => r.rule).filter((r) => r.kind === "set");
    const places = sets.map((r) => (r as { place: { path: string[] } }).place.path.join("."));
    expect(places).toContain("updated_at");
    expect(places).not.toContain("status");
  });

  it("gives a new record the values its description writes out for its own fields", () => {
    const tickets: DomainState = {
      tickets: {
        "1": { id: 1, subject: "a", via: { channel: "web" }, followup_ids: [4], satisfaction_rating: { score: "good" } },
        "2": { id: 2, subject: "b", via: { channel: "email" }, followup_ids: [], satisfaction_rating: { score: "bad" } },
      },
    };
    const s = serviceOf(
      tickets,
      toolSpec(
        "create_ticket",
        { subject: S("Subject") },
        ["subject"],
        'Create a ticket. via is {channel: "api"}, satisfaction_rating {score: "unoffered"}, followup_ids []. Returns the ticket.',
      ),
    );
    expect(s.fields).toEqual(
      expect.objectContaining({
        via: { kind: "constant", value: { channel: "api" } },
        satisfaction_rating: { kind: "constant", value: { score: "unoffered" } },
        followup_ids: { kind: "constant", value: [] },
      }),
    );
  });
});
