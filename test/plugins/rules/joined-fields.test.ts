// A text field that is two others joined by a space in every record (a pilot's `display_name` from
// `name.given` and `name.family`): a call that changes a part changes the joined text with it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inferTables } from "../../../lib/data-pack/tables.ts";
import { joinedFields } from "../../../plugins/rules/joined-fields.ts";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const pilot = (id: string, given: string, family: string, base: string) => ({
  id,
  display_name: [given, family].filter((p) => p !== "").join(" "),
  base,
  name: { given, family },
});
const data = {
  pilots: {
    p1: pilot("p1", "Ines", "Alvarez", "LIS"),
    p2: pilot("p2", "Tom", "Okafor", "LOS"),
    p3: pilot("p3", "Mira", "", "OSL"),
  },
};
const tools = [
  toolSpec(
    "update_pilot",
    {
      pilot_id: { type: "string" },
      name: { type: "object", properties: { given: { type: "string" }, family: { type: "string" } }, additionalProperties: false },
      base: { type: "string" },
    },
    ["pilot_id"],
    "Update a pilot's name or base.",
  ),
];

describe("fields joined from two others", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("finds the join in the data, and no join where a field only copies one part", () => {
    const table = inferTables(data)[0];
    expect(table && joinedFields(table, Object.values(data.pilots))).toEqual([
      {
        path: ["display_name"],
        parts: [
          ["name", "given"],
          ["name", "family"],
        ],
      },
    ]);
    const copies = {
      pilots: {
        a: { id: "a", label: "X", code: "X", tag: "" },
        b: { id: "b", label: "Y", code: "Y", tag: "" },
        c: { id: "c", label: "Z", code: "Z", tag: "" },
      },
    };
    const copyTable = inferTables(copies)[0];
    expect(copyTable && joinedFields(copyTable, Object.values(copies.pilots))).toEqual([]);
  });

  it("writes the joined text anew when a call changes a part, and leaves it when the call changes neither", async () => {
    const env = await serviceEnvironment(sandbox, tools, data);
    const { outcomes, state } = await env.run([
      { tool: "update_pilot", arguments: { pilot_id: "p1", name: { family: "Alvarez-Reis" } } },
      { tool: "update_pilot", arguments: { pilot_id: "p2", base: "ACC" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true]);
    const pilots = state.pilots as Record<string, { display_name: string; base: string }>;
    expect(pilots.p1?.display_name).toBe("Ines Alvarez-Reis");
    expect(pilots.p2).toMatchObject({ display_name: "Tom Okafor", base: "ACC" });
  });
});
