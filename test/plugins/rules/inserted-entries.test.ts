// A record a change makes in another table, shaped as the data's: the tool's own record referred to
// by key, a state the clause gives without a colon (`with state "waitlisted"`), a value every record
// holds alike, a struct shaped as theirs; and "…, and appends the user id to the end of the class's
// waitlist" as the last of a list of acts.
import { describe, expect, it } from "vitest";
import type { DomainState } from "../../../lib/contracts/domain-state.ts";
import type { ServiceModel } from "../../../lib/contracts/tool-rules.ts";
import { inferTables } from "../../../lib/data-pack/tables.ts";
import { deriveRules } from "../../../plugins/rules/derive.ts";
import { toolSpec } from "../../support/tools.ts";

const gym: DomainState = {
  classes: {
    "10": { id: 10, name: "Yoga", taken: 2, waitlist: [7] },
    "11": { id: 11, name: "Spin", taken: 1, waitlist: [] },
  },
  bookings: {
    "1": { id: 1, user_id: 5, booked_class_id: 10, kind: "member", state: "active", marks: { grade: "A" }, created_at: "2025-01-01" },
    "2": { id: 2, user_id: 6, booked_class_id: 10, kind: "member", state: "active", marks: { grade: null }, created_at: "2025-01-01" },
    "3": { id: 3, user_id: 7, booked_class_id: 10, kind: "member", state: "waitlisted", marks: { grade: null }, created_at: "2025-01-02" },
    "4": { id: 4, user_id: 8, booked_class_id: 11, kind: "member", state: "deleted", marks: { grade: null }, created_at: "2025-01-02" },
  },
  users: { "5": { id: 5 }, "6": { id: 6 }, "7": { id: 7 }, "8": { id: 8 } },
};

describe("entries a change makes", () => {
  it("shapes the new booking as the data's and appends the user to the waitlist", () => {
    const spec = toolSpec(
      "join_waitlist",
      { user_id: { type: "integer", description: "User id" }, class_id: { type: "integer", description: "Class id" } },
      ["user_id", "class_id"],
      "Put a user on a full class's waitlist. Creates a booking (id = highest existing + 1) with state \"waitlisted\", created_at = today, and appends the user id to the end of the class's waitlist.",
    );
    const service = deriveRules("d", [spec], inferTables(gym), gym, null).tools[0]?.service as ServiceModel;
    const rules = service.effects.map((r) => r.rule);
    expect(rules).toContainEqual({
      kind: "add-values",
      place: { hops: [], path: ["waitlist"] },
      value: { kind: "parameter", name: "user_id" },
    });
    // The user id names a user there is already: no user is made.
    expect(rules.filter((r) => r.kind === "insert").map((r) => (r.kind === "insert" ? r.table : ""))).toEqual(["bookings"]);
    const insert = rules.find((r) => r.kind === "insert");
    expect(insert?.kind === "insert" ? insert.fields : undefined).toEqual({
      id: { kind: "new-key" },
      user_id: { kind: "parameter", name: "user_id" },
      booked_class_id: { kind: "read", place: { hops: [], path: ["id"] } },
      kind: { kind: "constant", value: "member" },
      state: { kind: "constant", value: "waitlisted" },
      marks: { kind: "object", fields: { grade: { kind: "constant", value: null } } },
      created_at: { kind: "today" },
    });
  });
});
