// A parameter sets a field only when its value can be the field's: a list never sets a count that
// shares its name (`frames` → `frames_count`), and a list of objects that say more than the record's
// elements hold (`frames: [{label, action: add|remove}]`, a request to add or remove each) is not
// the list the record keeps.
import { describe, expect, it } from "vitest";
import type { DomainState } from "../../../lib/contracts/domain-state.ts";
import type { ServiceModel } from "../../../lib/contracts/tool-rules.ts";
import type { ToolSpec } from "../../../lib/contracts/tool-spec.ts";
import { inferTables } from "../../../lib/data-pack/tables.ts";
import { deriveRules } from "../../../plugins/rules/derive.ts";
import { toolSpec } from "../../support/tools.ts";

const hives: DomainState = {
  hives: {
    h1: { id: "h1", apiary: "North", frames_count: 1, frames: [{ id: 11, label: "brood" }] },
    h2: {
      id: "h2",
      apiary: "North",
      frames: [
        { id: 12, label: "honey" },
        { id: 13, label: "pollen" },
      ],
      frames_count: 2,
    },
    h3: { id: "h3", apiary: "South", frames_count: 0, frames: [] },
  },
};

function serviceOf(spec: ToolSpec): ServiceModel {
  const tool = deriveRules("d", [spec], inferTables(hives), hives, null).tools[0];
  return tool?.service as ServiceModel;
}

const setsFrom = (s: ServiceModel, parameter: string) =>
  JSON.stringify(s.effects)
    .split('{"kind":"set"')
    .filter((e) => e.includes(`"name":"${parameter}"`))
    .map((e) => /"path":\[([^\]]*)\]/.exec(e)?.[1]);

describe("parameters that fit the fields they set", () => {
  it("sets neither the count nor the list from a list of add-or-remove requests", () => {
    const s = serviceOf(
      toolSpec(
        "update_hive_frames",
        {
          hive_id: { type: "string" },
          frames: {
            type: "array",
            items: {
              type: "object",
              properties: { label: { type: "string" }, action: { type: "string", enum: ["add", "remove"] } },
              required: ["label", "action"],
            },
          },
        },
        ["hive_id", "frames"],
        "Add or remove frames on a hive.",
      ),
    );
    expect(setsFrom(s, "frames")).toEqual([]);
  });

  it("gives a new record's count no list", () => {
    const s = serviceOf(
      toolSpec(
        "create_hive",
        { apiary: { type: "string" }, frames: { type: "array", items: { type: "string" } } },
        ["apiary"],
        "Create a hive.",
      ),
    );
    const made = JSON.stringify(s.effects);
    expect(made).not.toMatch(/"frames_count":\{"kind":"parameter"/);
  });
});
