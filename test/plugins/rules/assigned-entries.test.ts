// A tool that assigns one record to another ("Assign a badge to a member") changes the member: the
// record whose list holds references to the other. Small numeric keys are keys of several tables at
// once, so the field's own name says which table it refers to; two parameters naming members (the
// member, who acts) leave the member's own key as the record; and "otherwise the new entry {…} is
// appended" with no list named goes to the one list whose elements hold those fields, a field the
// call does not give read off the record a key parameter names.
import { describe, expect, it } from "vitest";
import type { DomainState } from "../../../lib/contracts/domain-state.ts";
import type { ServiceModel } from "../../../lib/contracts/tool-rules.ts";
import { inferTables } from "../../../lib/data-pack/tables.ts";
import { deriveRules } from "../../../plugins/rules/derive.ts";
import { toolSpec } from "../../support/tools.ts";

const I = (description: string) => ({ type: "integer", description });
const S = (description: string) => ({ type: "string", description });

// Badges 1-3 and log entries 1-4: a member's `badge_id` values are keys of both tables.
const guild: DomainState = {
  members: {
    "11": { id: 11, name: "Ada", rank: "officer", badges: [{ badge_id: 1, craft: "smithing", since: "2024-01-02" }] },
    "12": { id: 12, name: "Bo", rank: "novice", badges: [{ badge_id: 2, craft: "weaving", since: "2024-03-04" }] },
    "13": { id: 13, name: "Cy", rank: "novice", badges: [{ badge_id: 3, craft: "brewing", since: "2024-05-06" }] },
  },
  log_entries: {
    "1": { id: 1, member_id: 11, text: "joined" },
    "2": { id: 2, member_id: 12, text: "joined" },
    "3": { id: 3, member_id: 13, text: "joined" },
    "4": { id: 4, member_id: 13, text: "promoted" },
  },
  badges: {
    "1": { id: 1, title: "Smith I", craft: "smithing" },
    "2": { id: 2, title: "Weaver I", craft: "weaving" },
    "3": { id: 3, title: "Brewer I", craft: "brewing" },
  },
};

const assign = toolSpec(
  "grant_badge",
  {
    member_id: I("The member."),
    badge_id: I("The badge."),
    since: S("Date the badge counts from."),
    officer_id: I("The officer granting it."),
  },
  ["member_id", "badge_id", "since", "officer_id"],
  "Assign a badge to a member (officers only). A member holds at most one badge per craft: if they already hold another badge of that craft, that entry is replaced; otherwise the new entry {badge_id, craft, since} is appended. Returns the updated member.",
);

describe("a record assigned to another", () => {
  it("reads a numeric field named for a table as that table's key, whatever other table shares its keys", () => {
    const members = inferTables(guild).find((t) => t.name === "members");
    const badge = members?.fields.find((f) => f.name === "badges")?.items?.fields?.find((f) => f.name === "badge_id");
    expect(badge?.references).toBe("badges");
  });

  it("changes the member whose own key the call gives, and appends the literal entry to the list holding its fields", () => {
    const s = deriveRules("d", [assign], inferTables(guild), guild, null).tools[0]?.service as ServiceModel;
    expect(s.kind).toBe("change");
    expect(s.table).toBe("members");
    expect(s.keyParameter).toBe("member_id");
    const appends = s.effects.map((r) => r.rule).filter((r) => r.kind === "append");
    expect(appends).toEqual([
      {
        kind: "append",
        place: { hops: [], path: ["badges"] },
        element: {
          badge_id: { kind: "parameter", name: "badge_id" },
          since: { kind: "parameter", name: "since" },
          craft: { kind: "lookup", table: "badges", key: { kind: "parameter", name: "badge_id" }, path: ["craft"] },
        },
      },
    ]);
  });
});
