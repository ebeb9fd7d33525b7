// Effects as service references state them, each on a small sample of our own: a record's state
// field named by its own name, a record named after a preposition that is not the subject, a new
// record's status written in capitals.
import { describe, expect, it } from "vitest";
import type { DomainState } from "../../../lib/contracts/domain-state.ts";
import type { ServiceModel } from "../../../lib/contracts/tool-rules.ts";
import type { ToolSpec } from "../../../lib/contracts/tool-spec.ts";
import { inferTables } from "../../../lib/data-pack/tables.ts";
import { deriveRules } from "../../../plugins/rules/derive.ts";
import { toolSpec } from "../../support/tools.ts";

const S = (description: string, extra: Record<string, unknown> = {}) => ({ type: "string", description, ...extra });

function serviceOf(data: DomainState, spec: ToolSpec, policy: string | null = null): ServiceModel {
  const tables = inferTables(data);
  const tool = deriveRules("d", [spec], tables, data, policy).tools[0];
  return tool?.service as ServiceModel;
}

const shop: DomainState = {
  orders: {
    o1: { id: "o1", state: "OPEN", customer_id: "c1", version: 1, note: "", updated_at: "2025-01-01T00:00:00Z", closed_at: null },
    o2: {
      id: "o2",
      state: "COMPLETED",
      customer_id: "c1",
      version: 4,
      note: "",
      updated_at: "2025-01-01T00:00:00Z",
      closed_at: "2025-01-02T00:00:00Z",
    },
    o3: {
      id: "o3",
      state: "CANCELED",
      customer_id: "c2",
      version: 2,
      note: "gift",
      updated_at: "2025-01-01T00:00:00Z",
      closed_at: "2025-01-03T00:00:00Z",
    },
  },
  rewards: {
    rw_101: { id: "rw_101", status: "ISSUED", order_id: "o1", points: 100 },
    rw_102: { id: "rw_102", status: "REDEEMED", order_id: "o2", points: 100 },
    rw_103: { id: "rw_103", status: "DELETED", order_id: "o3", points: 200 },
  },
};

describe("states a description gives", () => {
  it("reads the record's state field by its name and skips a record named after a preposition", () => {
    const s = serviceOf(
      shop,
      toolSpec(
        "cancel_order",
        { order_id: S("Order id") },
        ["order_id"],
        "Cancels an OPEN order. Effects: state becomes CANCELED; a reward still ISSUED on the order becomes DELETED. A reward on the order becomes DELETED.",
      ),
    );
    const states = s.effects
      .map((r) => r.rule)
      .filter((r) => r.kind === "set" && r.place.hops.length === 0 && r.place.path.join() === "state");
    expect(states).toEqual([expect.objectContaining({ value: { kind: "constant", value: "CANCELED" } })]);
  });

  it("reads a new record's status written in capitals whole ('status ISSUED')", () => {
    const s = serviceOf(
      shop,
      toolSpec(
        "create_reward",
        { order_id: S("Order id"), points: { type: "integer", description: "Points" } },
        ["order_id", "points"],
        'Creates a reward. Effects: a Reward {id "rw_N", status ISSUED, order_id, points} is stored.',
      ),
    );
    expect(s.fields?.status).toEqual({ kind: "constant", value: "ISSUED" });
  });

  it("reads a version the call must carry as a check, and the version going up by one as the change", () => {
    const s = serviceOf(
      shop,
      toolSpec(
        "update_order",
        { order_id: S("Order id"), version: { type: "integer", description: "The order's current version." }, note: S("New note") },
        ["order_id", "version", "note"],
        "Updates the note of an OPEN order. A different version is rejected. version goes up by 1 and updated_at is set to now.",
      ),
    );
    expect(s.requires.map((r) => r.rule)).toContainEqual({
      kind: "compare",
      condition: {
        left: { kind: "parameter", name: "version" },
        op: "==",
        right: { kind: "read", place: { hops: [], path: ["version"] } },
      },
    });
    const on = (field: string) => s.effects.map((r) => r.rule).filter((r) => "place" in r && r.place.path.join() === field);
    expect(on("version")).toEqual([
      { kind: "add", place: { hops: [], path: ["version"] }, amount: { kind: "constant", value: 1 }, sign: 1 },
    ]);
    expect(on("updated_at")).toEqual([expect.objectContaining({ kind: "set", value: expect.objectContaining({ kind: "now" }) })]);
  });

  it("reads changes written without a verb ('closed_at and updated_at now, version + 1')", () => {
    const s = serviceOf(
      shop,
      toolSpec(
        "complete_order",
        { order_id: S("Order id") },
        ["order_id"],
        "Completes an OPEN order. Effects: state becomes COMPLETED, closed_at and updated_at now, version + 1.",
      ),
    );
    const on = (field: string) => s.effects.map((r) => r.rule).filter((r) => "place" in r && r.place.path.join() === field);
    expect(on("version")).toEqual([
      { kind: "add", place: { hops: [], path: ["version"] }, amount: { kind: "constant", value: 1 }, sign: 1 },
    ]);
    expect(on("closed_at")).toEqual([expect.objectContaining({ kind: "set", value: expect.objectContaining({ kind: "now" }) })]);
    expect(on("updated_at")).toEqual([expect.objectContaining({ kind: "set", value: expect.objectContaining({ kind: "now" }) })]);
  });

  it("reads states written in backticks, before the call and after it", () => {
    const s = serviceOf(
      shop,
      toolSpec(
        "complete_order",
        { order_id: S("Order id") },
        ["order_id"],
        "Complete an order that is still `OPEN`; orders in any other state are refused. The order becomes `COMPLETED`.",
      ),
    );
    expect(s.requires.map((r) => r.rule)).toContainEqual({ kind: "status-in", place: { hops: [], path: ["state"] }, values: ["OPEN"] });
    expect(s.effects.map((r) => r.rule)).toContainEqual({
      kind: "set",
      place: { hops: [], path: ["state"] },
      value: { kind: "constant", value: "COMPLETED" },
    });
  });

  it("gives a new record the first state a flag of the call chooses, and null to the fields every record keeps empty until later", () => {
    const bank: DomainState = {
      transfers: {
        tr_1001: { id: "tr_1001", amount: 5, status: "pending_approval", approval: null, cancellation: null },
        tr_1002: { id: "tr_1002", amount: 7, status: "sent", approval: null, cancellation: null },
        tr_1004: { id: "tr_1004", amount: 8, status: "approved", approval: { approved_at: "2025-01-02T00:00:00Z" }, cancellation: null },
        tr_1003: { id: "tr_1003", amount: 9, status: "canceled", approval: null, cancellation: { canceled_at: "2025-01-03T00:00:00Z" } },
      },
    };
    const s = serviceOf(
      bank,
      toolSpec(
        "create_transfer",
        {
          amount: { type: "integer", description: "Amount" },
          require_approval: { type: "boolean", description: "Whether it needs approval" },
        },
        ["amount"],
        "Creates a transfer with status `pending_approval` (if `require_approval` is true) or `sent` (otherwise). Returns the transfer.",
      ),
    );
    expect(s.fields?.status).toEqual({ kind: "constant", value: "sent" });
    expect(s.fields?.approval).toEqual({ kind: "constant", value: null });
    expect(s.fields?.cancellation).toEqual({ kind: "constant", value: null });
    expect(s.effects).toContainEqual(
      expect.objectContaining({
        rule: { kind: "set", place: { hops: [], path: ["status"] }, value: { kind: "constant", value: "pending_approval" } },
        when: [{ left: { kind: "parameter", name: "require_approval" }, op: "==", right: { kind: "constant", value: true } }],
      }),
    );
  });

  it('reads a struct written out as JSON ("`cancellation` is set to `{"canceled_at": <current time>, "canceled_by": null}`")', () => {
    const bank: DomainState = {
      transfers: {
        tr_1: { id: "tr_1", status: "pending", cancellation: null },
        tr_2: { id: "tr_2", status: "canceled", cancellation: { canceled_at: "2025-01-03T00:00:00Z", canceled_by: null } },
      },
    };
    const s = serviceOf(
      bank,
      toolSpec(
        "cancel_transfer",
        { transfer_id: S("Transfer id") },
        ["transfer_id"],
        'Cancel a pending transfer. The transfer becomes `canceled` and `cancellation` is set to `{"canceled_at": <current time>, "canceled_by": null}`.',
      ),
    );
    expect(s.effects.map((r) => r.rule)).toContainEqual({
      kind: "set",
      place: { hops: [], path: ["cancellation"] },
      value: {
        kind: "object",
        fields: { canceled_at: { kind: "now", wholeSeconds: true }, canceled_by: { kind: "constant", value: null } },
      },
    });
  });

  it("changes the record the tool's record refers to, named in parentheses, with its time ('the hold (the transfer's Hold Entry) becomes status `released` with `released_at` set to the current time')", () => {
    const bank: DomainState = {
      transfers: {
        tr_1: { id: "tr_1", status: "pending", hold_id: "h_1" },
        tr_2: { id: "tr_2", status: "canceled", hold_id: "h_2" },
      },
      hold_entries: {
        h_1: { id: "h_1", status: "active", released_at: null },
        h_2: { id: "h_2", status: "released", released_at: "2025-01-03T00:00:00Z" },
      },
    };
    const s = serviceOf(
      bank,
      toolSpec(
        "cancel_transfer",
        { transfer_id: S("Transfer id") },
        ["transfer_id"],
        "Cancel a pending transfer. The hold (the transfer's Hold Entry) becomes status `released` with `released_at` set to the current time. The transfer becomes `canceled`.",
      ),
    );
    const hop = [{ field: "hold_id", table: "hold_entries" }];
    expect(s.effects.map((r) => r.rule)).toContainEqual({
      kind: "set",
      place: { hops: hop, path: ["status"] },
      value: { kind: "constant", value: "released" },
    });
    expect(s.effects.map((r) => r.rule)).toContainEqual({
      kind: "set",
      place: { hops: hop, path: ["released_at"] },
      value: { kind: "now", wholeSeconds: true },
    });
  });

  it("reaches a table keyed by the keys of the one a reference names ('the account's available balance' in balances), and reads 'returning X to Y'", () => {
    const bank: DomainState = {
      accounts: { ac_1: { id: "ac_1", status: "open" }, ac_2: { id: "ac_2", status: "open" } },
      balances: {
        ac_1: { account_id: "ac_1", current_balance: 100, available_balance: 100 },
        ac_2: { account_id: "ac_2", current_balance: 50, available_balance: 50 },
      },
      transfers: {
        tr_1: { id: "tr_1", account_id: "ac_1", amount: 30, status: "pending" },
        tr_2: { id: "tr_2", account_id: "ac_2", amount: 20, status: "canceled" },
      },
    };
    const s = serviceOf(
      bank,
      toolSpec(
        "cancel_transfer",
        { transfer_id: S("Transfer id") },
        ["transfer_id"],
        "Cancel a pending transfer. The transfer becomes canceled, returning the amount to the account's available balance.",
      ),
    );
    const approve = serviceOf(
      bank,
      toolSpec(
        "approve_transfer",
        { transfer_id: S("Transfer id") },
        ["transfer_id"],
        "Approve a pending transfer: the account's current and available balances drop by the amount.",
      ),
    );
    expect(
      approve.effects
        .map((r) => r.rule)
        .filter((r) => r.kind === "add")
        .map((r) => ("place" in r ? r.place.path.join() : "")),
    ).toEqual(["current_balance", "available_balance"]);
    expect(s.effects.map((r) => r.rule)).toContainEqual({
      kind: "add",
      place: { hops: [{ field: "account_id", table: "balances" }], path: ["available_balance"] },
      amount: { kind: "read", place: { hops: [], path: ["amount"] } },
      sign: 1,
    });
  });

  it("reads a new value the call may repeat ('send the current one if it does not change') as a value, not a check", () => {
    const note = serviceOf(
      shop,
      toolSpec(
        "set_note",
        { order_id: S("Order id"), note: S("New note (send the current one if it does not change).") },
        ["order_id", "note"],
        "Sets an order's note.",
      ),
    );
    expect(note.requires.map((r) => r.rule.kind)).not.toContain("compare");
    expect(note.effects.map((r) => r.rule)).toContainEqual({
      kind: "set",
      place: { hops: [], path: ["note"] },
      value: { kind: "parameter", name: "note" },
    });
  });
});
