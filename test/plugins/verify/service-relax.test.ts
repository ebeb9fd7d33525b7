// A service tool whose derived rules the data contradicts is relaxed, not dropped; the arguments of
// its cases are valid for its own schema. Pure functions, on small fixtures.
import { describe, expect, it } from "vitest";
import type { ToolModel } from "../../../lib/contracts/domain-schema.ts";
import type { ServiceModel } from "../../../lib/contracts/tool-rules.ts";
import { conformArgs } from "../../../lib/domain-model/service-arguments.ts";
import { relaxService } from "../../../plugins/verify/relax-rules.ts";

const here = (path: string[]) => ({ hops: [], path });
const service: ServiceModel = {
  kind: "change",
  table: "orders",
  keyParameter: "order_id",
  match: [],
  returns: "record",
  requires: [
    { rule: { kind: "record-exists", parameter: "user_id", table: "users" }, source: "schema", text: "user_id names a user" },
    { rule: { kind: "status-in", place: here(["status"]), values: ["pending"] }, source: "name", text: "only a pending order" },
    { rule: { kind: "parameter-in", parameter: "reason", values: ["a", "b"] }, source: "policy", text: "reason is a or b" },
  ],
  effects: [
    {
      rule: { kind: "set", place: here(["status"]), value: { kind: "constant", value: "cancelled" } },
      source: "name",
      text: "the order becomes cancelled",
    },
  ],
};
const model: ToolModel = {
  tool: "cancel_order",
  access: "write",
  operation: "set-status",
  table: "orders",
  reads: ["orders"],
  writes: ["orders"],
  parameters: [],
  summary: "",
  service,
};

describe("relaxing a service tool's rules", () => {
  it("takes out the requirement a refused valid call names, and keeps the others", () => {
    const relaxed = relaxService(
      model,
      ["refused every valid call (valid-1: TOOL_ERROR: reason must be 'a' or 'b', not \"x\")"],
      1,
      "order",
    );
    expect(relaxed?.model.service?.requires.map((r) => r.rule.kind)).toEqual(["record-exists", "status-in"]);
    expect(relaxed?.model.service?.effects).toHaveLength(1);
    expect(relaxed?.removed).toEqual(["policy: reason is a or b"]);
  });

  it("takes out the one rule a call it had to refuse names, though its words hold 'must'", () => {
    const relaxed = relaxService(model, ['rule-2:status-in: accepted a call it must refuse: {"order_id":"o1"}'], 1, "order");
    // Not the parameter-in rule, whose refusal says "must be": the failure names rule 2 alone.
    expect(relaxed?.model.service?.requires.map((r) => r.rule.kind)).toEqual(["record-exists", "parameter-in"]);
  });

  it("takes out an effect not seen as promised, and on a later round keeps only what names records", () => {
    const effect = relaxService(model, ['valid-2: name: the order becomes cancelled: expected orders.o1.status = "cancelled"'], 1, "order");
    expect(effect?.model.service?.effects).toEqual([]);
    expect(effect?.model.service?.requires).toHaveLength(3);
    const bare = relaxService(model, ["anything"], 2, "order");
    expect(bare?.model.service?.requires.map((r) => r.rule.kind)).toEqual(["record-exists"]);
    expect(bare?.model.service?.effects).toEqual([]);
    expect(relaxService(bare?.model as ToolModel, ["anything"], 2, "order")).toBeNull();
  });
});

describe("a service case's arguments", () => {
  it("are bent to the tool's schema: integer keys, enums from the data, text", () => {
    const state = { tickets: { "7": { id: 7, priority: "high" } } };
    const args = conformArgs(
      { ticket_id: "7", priority: "HIGH", note: 12, ids: ["1", "2"] },
      {
        ticket_id: { type: "integer" },
        priority: { type: "string", enum: ["low", "high"] },
        note: { type: "string" },
        ids: { type: "array", items: { type: "integer" } },
      },
      state,
    );
    expect(args).toEqual({ ticket_id: 7, priority: "high", note: "12", ids: [1, 2] });
  });
});
