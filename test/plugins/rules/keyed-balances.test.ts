// A balance kept in a map under a value of the record a call acts on ("approving deducts the request
// amount from the member's balance of that kind and appends a "used" ledger entry"): the entry under
// the request's kind moves, only on the calls that approve, and the ledger gets an entry shaped as its own.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

describe("a balance under a value of the record", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  const data = () => ({
    members: {
      p1: { id: "p1", name: "Ana", balances: { gold: 10, silver: 5 } },
      p2: { id: "p2", name: "Bo", balances: { gold: 2, silver: 0 } },
    },
    requests: {
      r1: { id: "r1", member_id: "p1", kind: "silver", amount: 3, status: "pending" },
      r2: { id: "r2", member_id: "p2", kind: "gold", amount: 1, status: "pending" },
      r3: { id: "r3", member_id: "p1", kind: "gold", amount: 2, status: "approved" },
    },
    ledger: [
      {
        id: 1,
        member_id: "p1",
        kind: "gold",
        event: "used",
        amount: -2,
        balance_after: 10,
        request_id: "r3",
        note: null,
        created_by: null,
      },
      {
        id: 2,
        member_id: "p2",
        kind: "gold",
        event: "adjustment",
        amount: 1,
        balance_after: 2,
        request_id: null,
        note: "x",
        created_by: "p1",
      },
    ],
  });
  const tools = [
    toolSpec(
      "set_request_status",
      { request_id: { type: "string" }, status: { type: "string", enum: ["approved", "denied"] } },
      ["request_id", "status"],
      'Approve or deny a request; sets status to the given one. Approving deducts the request amount from the member\'s balance of that kind and appends a "used" ledger entry.',
    ),
  ];

  it("deducts from the entry under the request's kind and appends a ledger entry, on approval only", async () => {
    const env = await serviceEnvironment(sandbox, tools, data());
    const { outcomes, state } = await env.run([
      { tool: "set_request_status", arguments: { request_id: "r2", status: "denied" } },
      { tool: "set_request_status", arguments: { request_id: "r1", status: "approved" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true]);
    expect((state.members as Record<string, { balances: unknown }>).p1?.balances).toEqual({ gold: 10, silver: 2 });
    expect((state.members as Record<string, { balances: unknown }>).p2?.balances).toEqual({ gold: 2, silver: 0 });
    expect(state.ledger).toEqual([
      ...data().ledger,
      {
        id: 3,
        member_id: "p1",
        kind: "silver",
        event: "used",
        amount: -3,
        balance_after: 2,
        request_id: "r1",
        note: null,
        created_by: null,
      },
    ]);
  });

  it("moves the entry a parameter names by the signed amount given, and the ledger records the call", async () => {
    const adjust = toolSpec(
      "adjust_balance",
      {
        member_id: { type: "string" },
        kind: { type: "string" },
        amount: { type: "number" },
        note: { type: "string" },
        acting_member_id: { type: "string" },
      },
      ["member_id", "kind", "amount", "note", "acting_member_id"],
      'Manually increment or decrement a member\'s balance of one kind. Appends an "adjustment" ledger entry dated today (created_by = acting member).',
    );
    const env = await serviceEnvironment(sandbox, [adjust], data());
    const { outcomes, state } = await env.run([
      { tool: "adjust_balance", arguments: { member_id: "p2", kind: "silver", amount: 4, note: "fix", acting_member_id: "p1" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true]);
    expect((state.members as Record<string, { balances: unknown }>).p2?.balances).toEqual({ gold: 2, silver: 4 });
    expect((state.ledger as unknown[]).at(-1)).toEqual({
      id: 3,
      member_id: "p2",
      kind: "silver",
      event: "adjustment",
      amount: 4,
      balance_after: 4,
      request_id: null,
      note: "fix",
      created_by: "p1",
    });
  });
});
