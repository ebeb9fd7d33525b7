// A call allowed only while a related record is in some states, named with its field and states
// together, on small data of our own: a parcel is recalled only while its courier job (the job whose
// parcel_id names the parcel) has status queued or assigned; a parcel with no job is not refused for
// that, and the rule survives verification because a case is built on a parcel whose job breaks it.
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

const depot = () => ({
  parcels: {
    par_1: { id: "par_1", state: "ready", recalled: false },
    par_2: { id: "par_2", state: "ready", recalled: false },
    par_3: { id: "par_3", state: "ready", recalled: false },
  },
  jobs: {
    job_1: { id: "job_1", parcel_id: "par_1", status: "queued" },
    job_2: { id: "job_2", parcel_id: "par_2", status: "driving" },
    job_3: { id: "job_4", parcel_id: null, status: "done" },
  },
});

const recall = toolSpec(
  "recall_parcel",
  { parcel_id: { type: "string", description: "The parcel." } },
  ["parcel_id"],
  "Recalls a parcel. Only parcels no driver has picked up yet (job status queued or assigned) can be recalled. Sets recalled to true. Returns the Parcel.",
);

describe("conditions on a related record's state", () => {
  it("refuses a call whose related record is in another state, and lets through one without such a record", async () => {
    const env = await serviceEnvironment(sandbox, [recall], depot());
    const kinds = env.rules.tools[0]?.service.requires.map((r) => r.rule.kind);
    expect(kinds).toContain("compare");
    const { outcomes } = await env.run([
      { tool: "recall_parcel", arguments: { parcel_id: "par_2" } },
      { tool: "recall_parcel", arguments: { parcel_id: "par_1" } },
      { tool: "recall_parcel", arguments: { parcel_id: "par_3" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([false, true, true]);
  });
});
