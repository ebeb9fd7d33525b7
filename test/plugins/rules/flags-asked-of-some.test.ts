// "Partial and gift_note pledges must use cadence=once and a splittable hive": the calls the
// subject names (those whose quantity, the parameter glossed as "partial", is not whole; those that
// give `gift_note`) need the hive they name to have the flag, and `cadence` the value written; other
// calls need neither.
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

const apiary = () => ({
  hives: {
    h_oak: { id: "h_oak", name: "Oak row", splittable: true },
    h_elm: { id: "h_elm", name: "Elm row", splittable: false },
  },
  pledges: {
    pl_1: { id: "pl_1", hive_id: "h_oak", frames: "2.5", cadence: "once", gift_note: null, created_at: "2025-03-01T10:00:00Z" },
    pl_2: { id: "pl_2", hive_id: "h_elm", frames: "3", cadence: "monthly", gift_note: null, created_at: "2025-03-01T11:00:00Z" },
  },
});

const pledge = toolSpec(
  "create_pledge",
  {
    hive_id: { type: "string", description: "The hive's id." },
    frames: { type: "string", description: "Frames of honey, as a decimal string." },
    cadence: { type: "string", enum: ["once", "monthly"] },
    gift_note: { type: "string", description: "A note for a pledge given as a gift." },
  },
  ["hive_id", "frames", "cadence"],
  "Pledges frames of a hive's honey. Give frames (whole frames, fractional allowed for splittable hives). Fractional and gift_note pledges must use cadence=once and a splittable hive.",
);

describe("a flag asked of some calls only", () => {
  it("refuses the calls the subject names when the record lacks the flag or the value differs", async () => {
    const env = await serviceEnvironment(sandbox, [pledge], apiary());
    const { outcomes } = await env.run([
      { tool: "create_pledge", arguments: { hive_id: "h_elm", frames: "1.5", cadence: "once" } },
      { tool: "create_pledge", arguments: { hive_id: "h_oak", frames: "1.5", cadence: "monthly" } },
      { tool: "create_pledge", arguments: { hive_id: "h_elm", frames: "2", cadence: "once", gift_note: "For Ada" } },
      { tool: "create_pledge", arguments: { hive_id: "h_elm", frames: "2", cadence: "monthly" } },
      { tool: "create_pledge", arguments: { hive_id: "h_oak", frames: "1.5", cadence: "once", gift_note: "For Ada" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([false, false, false, true, true]);
  });
});
