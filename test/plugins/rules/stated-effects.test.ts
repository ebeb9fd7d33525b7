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
    o1: { id: "o1", state: "OPEN", customer_id: "c1" },
    o2: { id: "o2", state: "COMPLETED", customer_id: "c1" },
    o3: { id: "o3", state: "CANCELED", customer_id: "c2" },
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
        "Cancels an OPEN order. Effects: state becomes CANCELED; a reward still ISSUED on the order becomes DELETED.",
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
});
