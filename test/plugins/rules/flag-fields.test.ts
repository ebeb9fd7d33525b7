// Fields a record holds while a flag of it is on: memberships with `lapse_at_term_end` true hold
// `lapse_on` (their `term_end`), `lapse_requested_at` and `lapse_details`; the others hold none. A
// call that turns the flag on fills them; one that turns it off empties them again.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const member = (id: string, lapsing: boolean, note: string | null = null) => ({
  id,
  plan: "gym",
  term_end: 1767225600 + Number(id.slice(1)) * 86400,
  lapse_at_term_end: lapsing,
  lapse_on: lapsing ? 1767225600 + Number(id.slice(1)) * 86400 : null,
  lapse_requested_at: lapsing ? 1760000000 : null,
  lapse_details: lapsing ? { reason: "member_request", note } : null,
});
const data = {
  memberships: {
    m1: member("m1", false),
    m2: member("m2", false),
    m3: member("m3", true, "moving away"),
    m4: member("m4", true),
    m5: member("m5", false),
  },
};
const update = toolSpec(
  "update_membership",
  {
    membership: { type: "string", description: "The membership id." },
    lapse_at_term_end: { type: "boolean", description: "true to end the membership when its term ends, false to keep it." },
    lapse_note: { type: "string", description: "Why the member is leaving." },
  },
  ["membership"],
  "Changes a membership.",
);
const policy = "Today is 2025-09-16 15:00 UTC.";

describe("fields held while a flag is on", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => sandbox.close());

  it("fills them when the call turns the flag on: a field the records copy, the clock, a struct of the call's words", async () => {
    const env = await serviceEnvironment(sandbox, [update], data, policy);
    const { state } = await env.run([{ tool: "update_membership", arguments: { membership: "m1", lapse_at_term_end: true } }]);
    const m1 = (state.memberships as Record<string, Record<string, unknown>>).m1;
    expect(m1?.lapse_at_term_end).toBe(true);
    expect(m1?.lapse_on).toBe(m1?.term_end);
    expect(m1?.lapse_requested_at).toBe(Date.parse("2025-09-16T15:00:00Z") / 1000);
    expect(m1?.lapse_details).toEqual({ reason: "member_request", note: null });
  });

  it("empties them when the call turns it off", async () => {
    const env = await serviceEnvironment(sandbox, [update], data, policy);
    const { state } = await env.run([{ tool: "update_membership", arguments: { membership: "m3", lapse_at_term_end: false } }]);
    const m3 = (state.memberships as Record<string, Record<string, unknown>>).m3;
    expect(m3).toMatchObject({ lapse_at_term_end: false, lapse_on: null, lapse_requested_at: null, lapse_details: null });
  });
});
