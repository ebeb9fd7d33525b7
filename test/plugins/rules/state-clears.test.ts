// A field only records in one state hold (a job's `closedAt`, on done jobs only), where an argument
// sets the state (`status: "open" | "done"`): setting the state that never holds it takes it off
// the record, as reopening a job does; setting the other stamps it. When some records of that state
// hold it too, it stays.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const jobs = {
  j1: { id: "j1", title: "Fix gate", status: "open" },
  j2: { id: "j2", title: "Paint shed", status: "open" },
  j3: { id: "j3", title: "Clear gutter", status: "done", closedAt: "2025-02-01T10:00:00Z" },
  j4: { id: "j4", title: "Oil hinges", status: "done", closedAt: "2025-02-03T09:30:00Z" },
};
const tools = [
  toolSpec(
    "patch_job",
    { job: { type: "string", description: "Job id." }, status: { type: "string", enum: ["open", "done"] } },
    ["job"],
    "Change a repair job's status.",
  ),
];
const policy = "Today is 2025-03-05 and the time is 14:30 UTC.";
type Records = Record<string, Record<string, unknown>>;

describe("fields a state never holds", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("takes the field off a record set back to the state that never holds it, and stamps the other", async () => {
    const env = await serviceEnvironment(sandbox, tools, { jobs }, policy);
    const { outcomes, state } = await env.run([
      { tool: "patch_job", arguments: { job: "j3", status: "open" } },
      { tool: "patch_job", arguments: { job: "j1", status: "done" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true]);
    expect((state.jobs as Records).j3).toEqual({ id: "j3", title: "Clear gutter", status: "open" });
    expect((state.jobs as Records).j1?.closedAt).toMatch(/^2025-03-05T14:30/);
  });

  it("keeps it when records of that state hold it too", async () => {
    const mixed = { ...jobs, j2: { ...jobs.j2, closedAt: "2025-01-20T08:00:00Z" } };
    const env = await serviceEnvironment(sandbox, tools, { jobs: mixed }, policy);
    const { state } = await env.run([{ tool: "patch_job", arguments: { job: "j3", status: "open" } }]);
    expect((state.jobs as Records).j3?.closedAt).toBe("2025-02-01T10:00:00Z");
  });
});
