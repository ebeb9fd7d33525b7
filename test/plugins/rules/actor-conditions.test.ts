// "When the requester comments on a ticket that is pending or solved, the ticket's status becomes
// open": a change under a condition on who acts (the call's author is the record's requester) and
// on the record's state; the change split off after its "when" keeps the condition.
import { describe, expect, it } from "vitest";
import type { DomainState } from "../../../lib/contracts/domain-state.ts";
import type { ServiceModel } from "../../../lib/contracts/tool-rules.ts";
import { inferTables } from "../../../lib/data-pack/tables.ts";
import { deriveRules } from "../../../plugins/rules/derive.ts";
import { toolSpec } from "../../support/tools.ts";

const desk: DomainState = {
  users: { "1": { id: 1, name: "Ann" }, "2": { id: 2, name: "Bo" }, "3": { id: 3, name: "Cy" } },
  cases: {
    "10": { id: 10, requester_id: 1, status: "open", notes: [{ author_id: 1, body: "hi" }] },
    "11": { id: 11, requester_id: 2, status: "pending", notes: [{ author_id: 3, body: "ok" }] },
    "12": { id: 12, requester_id: 2, status: "solved", notes: [] },
    "13": { id: 13, requester_id: 3, status: "hold", notes: [] },
  },
};

describe("conditions on who acts", () => {
  it("reads 'when the requester comments on a case that is pending or solved' as the author being the requester and the state", () => {
    const spec = toolSpec(
      "add_case_note",
      {
        case_id: { type: "integer", description: "Case id" },
        author_id: { type: "integer", description: "User writing the note" },
        body: { type: "string", description: "Text" },
      },
      ["case_id", "author_id", "body"],
      "Add a note to a case; it is appended to the case's notes. When the requester comments on a case that is pending or solved, the case's status becomes \"open\"; other notes do not change the status.",
    );
    const service = deriveRules("d", [spec], inferTables(desk), desk, null).tools[0]?.service as ServiceModel;
    const status = service.effects.find((r) => r.rule.kind === "set" && r.rule.place.path.join(".") === "status");
    expect(status?.when).toEqual([
      { left: { kind: "parameter", name: "author_id" }, op: "==", right: { kind: "read", place: { hops: [], path: ["requester_id"] } } },
      {
        left: { kind: "read", place: { hops: [], path: ["status"] } },
        op: "in",
        right: { kind: "constant", value: ["pending", "solved"] },
      },
    ]);
  });
});
