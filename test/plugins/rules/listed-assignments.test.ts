// Several fields set in one clause ("sets active to false and updated_at to today"), the record's
// status among them ("Sets enrollment_state to "active" …" over a state the tool's verb suggests),
// times stamped without a verb ("canceled_at and updated_at today").
import { describe, expect, it } from "vitest";
import type { DomainState } from "../../../lib/contracts/domain-state.ts";
import type { ServiceModel } from "../../../lib/contracts/tool-rules.ts";
import type { ToolSpec } from "../../../lib/contracts/tool-spec.ts";
import { inferTables } from "../../../lib/data-pack/tables.ts";
import { deriveRules } from "../../../plugins/rules/derive.ts";
import { toolSpec } from "../../support/tools.ts";

function serviceOf(data: DomainState, spec: ToolSpec): ServiceModel {
  return deriveRules("d", [spec], inferTables(data), data, null).tools[0]?.service as ServiceModel;
}
const sets = (s: ServiceModel) =>
  Object.fromEntries(
    s.effects.flatMap((r) =>
      r.rule.kind === "set" && r.rule.place.hops.length === 0 ? [[r.rule.place.path.join("."), r.rule.value]] : [],
    ),
  );

const sites: DomainState = {
  sites: {
    s1: { id: "s1", name: "North", active: true, updated_at: "2025-01-01" },
    s2: { id: "s2", name: "South", active: false, updated_at: "2025-01-02" },
  },
};
const seats: DomainState = {
  seats: {
    "1": { id: 1, holder_id: 7, state: "offered", updated_at: "2025-01-01" },
    "2": { id: 2, holder_id: 8, state: "taken", updated_at: "2025-01-01" },
    "3": { id: 3, holder_id: 9, state: "declined", updated_at: "2025-01-01" },
    "4": { id: 4, holder_id: 9, state: "released", updated_at: "2025-01-01" },
  },
};
const boxes: DomainState = {
  boxes: {
    b1: { id: "b1", status: "draft", canceled_at: null, updated_at: "2025-01-01" },
    b2: { id: "b2", status: "sent", canceled_at: null, updated_at: "2025-01-01" },
    b3: { id: "b3", status: "canceled", canceled_at: "2025-01-03", updated_at: "2025-01-03" },
  },
};

describe("fields set together", () => {
  it("reads 'sets active to false and updated_at to today' as two settings", () => {
    const s = serviceOf(
      sites,
      toolSpec(
        "deactivate_site",
        { site_id: { type: "string", description: "Site id" } },
        ["site_id"],
        "Deactivates a site (sets active to false and updated_at to today).",
      ),
    );
    expect(sets(s)).toEqual({ active: { kind: "constant", value: false }, updated_at: { kind: "today" } });
  });

  it("takes the state the description sets over the one the verb suggests", () => {
    const s = serviceOf(
      seats,
      toolSpec(
        "accept_offer",
        { seat_id: { type: "integer", description: "Seat id" } },
        ["seat_id"],
        'Accept a seat offered. The seat must be held by the caller and be in state "offered". Sets state to "taken" and updated_at to today.',
      ),
    );
    expect(sets(s)).toEqual({ state: { kind: "constant", value: "taken" }, updated_at: { kind: "today" } });
  });

  it("takes a quoted state the description sets even when the data shows none in it yet", () => {
    const s = serviceOf(
      seats,
      toolSpec(
        "close_offer",
        { seat_id: { type: "integer", description: "Seat id" } },
        ["seat_id"],
        'Close a seat offer. Sets state to "expired" and updated_at to today.',
      ),
    );
    expect(sets(s)).toEqual({ state: { kind: "constant", value: "expired" }, updated_at: { kind: "today" } });
  });

  it("reads times stamped without a verb: 'canceled_at and updated_at today'", () => {
    const s = serviceOf(
      boxes,
      toolSpec(
        "cancel_box",
        { box_id: { type: "string", description: "Box id" } },
        ["box_id"],
        "Cancels a box that has not been sent (status draft -> canceled, canceled_at and updated_at today).",
      ),
    );
    expect(sets(s)).toEqual({
      status: { kind: "constant", value: "canceled" },
      canceled_at: { kind: "today" },
      updated_at: { kind: "today" },
    });
  });
});
