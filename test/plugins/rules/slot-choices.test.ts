// A parameter that picks one of a record's slots by name ("home" or "work" for the member's
// `contacts.home_phone` / `contacts.work_phone`): a call that picks an empty slot is refused when the
// description says so ("refused when the member has no phone in that slot"), on a clinic's recall line.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const data = {
  patients: {
    pat_1: { id: "pat_1", name: "Rosa", contacts: { home_phone: "555-0101", work_phone: null }, recalls: 0 },
    pat_2: { id: "pat_2", name: "Ezra", contacts: { home_phone: null, work_phone: "555-0199" }, recalls: 2 },
  },
};

const tools = [
  toolSpec(
    "place_recall",
    {
      patient_id: { type: "string", description: "The patient." },
      home_or_work: { type: "string", enum: ["home", "work"], description: "Which phone to call." },
    },
    ["patient_id", "home_or_work"],
    "Places a recall call to a patient. home_or_work picks which of the patient's phones is dialed. Refused when the patient has no phone in that slot. The patient's recalls goes up by 1. Returns the Patient.",
  ),
];

describe("a slot picked by name", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("goes through for a slot that holds something and is refused for an empty one", async () => {
    const env = await serviceEnvironment(sandbox, tools, data, "Today is 2025-06-10 and the time is 12:00 UTC.");
    const { outcomes } = await env.run([
      { tool: "place_recall", arguments: { patient_id: "pat_1", home_or_work: "home" } },
      { tool: "place_recall", arguments: { patient_id: "pat_1", home_or_work: "work" } },
      { tool: "place_recall", arguments: { patient_id: "pat_2", home_or_work: "home" } },
      { tool: "place_recall", arguments: { patient_id: "pat_2", home_or_work: "work" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, false, true]);
  });
});
