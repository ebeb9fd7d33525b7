// Effects a description states for records in one state ('A "waitlisted" booking can be dropped at
// any time: … the user id is removed from the class's waitlist'; "Dropping an active booking frees
// its seat: otherwise taken decreases by 1") hold for a record in that state only; and a record
// reached inside one such condition is reached again inside the next.
import { describe, expect, it } from "vitest";
import type { DomainState } from "../../../lib/contracts/domain-state.ts";
import type { ServiceModel } from "../../../lib/contracts/tool-rules.ts";
import { inferTables } from "../../../lib/data-pack/tables.ts";
import { serviceBody } from "../../../lib/tool-code/service-bodies.ts";
import { deriveRules } from "../../../plugins/rules/derive.ts";
import { toolSpec } from "../../support/tools.ts";

const gym: DomainState = {
  classes: {
    "10": { id: 10, name: "Yoga", taken: 2, waitlist: [7, 8] },
    "11": { id: 11, name: "Spin", taken: 1, waitlist: [] },
  },
  bookings: {
    "1": { id: 1, user_id: 5, class_id: 10, state: "active" },
    "2": { id: 2, user_id: 6, class_id: 10, state: "active" },
    "3": { id: 3, user_id: 7, class_id: 10, state: "waitlisted" },
    "4": { id: 4, user_id: 8, class_id: 10, state: "waitlisted" },
    "5": { id: 5, user_id: 9, class_id: 11, state: "deleted" },
  },
  users: { "5": { id: 5 }, "6": { id: 6 }, "7": { id: 7 }, "8": { id: 8 }, "9": { id: 9 } },
};

describe("effects scoped to a state", () => {
  it("reads a sentence opening on the record in a state as a condition on what it says, and reaches records anew in each condition", () => {
    const spec = toolSpec(
      "drop_booking",
      { user_id: { type: "integer", description: "User id" }, booking_id: { type: "integer", description: "Booking id" } },
      ["user_id", "booking_id"],
      'Drop a booking or leave a waitlist. A "waitlisted" booking can be dropped at any time: it becomes "deleted" and the user id is removed from the class\'s waitlist. Dropping an active booking frees its seat: it becomes "deleted"; otherwise taken decreases by 1.',
    );
    const tables = inferTables(gym);
    const tool = deriveRules("d", [spec], tables, gym, null).tools[0];
    const service = tool?.service as ServiceModel;
    const state = (value: string) => [
      { left: { kind: "read", place: { hops: [], path: ["state"] } }, op: "==", right: { kind: "constant", value } },
    ];
    const hop = [{ field: "class_id", table: "classes" }];
    expect(service.effects.find((r) => r.rule.kind === "remove-values")).toEqual(
      expect.objectContaining({
        rule: { kind: "remove-values", place: { hops: hop, path: ["waitlist"] }, values: { kind: "parameter", name: "user_id" } },
        when: state("waitlisted"),
      }),
    );
    expect(service.effects.find((r) => r.rule.kind === "add")).toEqual(
      expect.objectContaining({
        rule: { kind: "add", place: { hops: hop, path: ["taken"] }, amount: { kind: "constant", value: 1 }, sign: -1 },
        when: state("active"),
      }),
    );
    const body = serviceBody(tool as never, { tables, source: "data" } as never, new Set()).join("\n");
    expect(body.match(/requireRecord\(db\.classes/g)).toHaveLength(2);
  });
});
