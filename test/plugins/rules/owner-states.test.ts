// "Only for a seated Guest of an open Banquet": the record the tool's record belongs to must be in
// the state named before it, or the call is refused.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await Sandbox.start({ processes: 1 });
});
afterAll(async () => {
  await sandbox?.close();
});

const banquets = () => ({
  banquets: {
    bq_1: { id: "bq_1", title: "Harvest", status: "open" },
    bq_2: { id: "bq_2", title: "Frost", status: "closed" },
    bq_3: { id: "bq_3", title: "Thaw", status: "planned" },
  },
  guests: {
    gs_1: { id: "gs_1", banquet_id: "bq_1", dish: "soup" },
    gs_2: { id: "gs_2", banquet_id: "bq_2", dish: "pie" },
  },
});

const changeDish = toolSpec(
  "update_guest",
  { guest_id: { type: "string", description: "Guest id." }, dish: { type: "string", description: "New dish." } },
  ["guest_id", "dish"],
  "Change a Guest's dish. Only for a seated Guest of an open Banquet.",
);

describe("the state of the record a record belongs to", () => {
  it("refuses a guest of a banquet that is not open", async () => {
    const env = await serviceEnvironment(sandbox, [changeDish], banquets());
    const { outcomes } = await env.run([
      { tool: "update_guest", arguments: { guest_id: "gs_1", dish: "stew" } },
      { tool: "update_guest", arguments: { guest_id: "gs_2", dish: "stew" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false]);
  });
});
