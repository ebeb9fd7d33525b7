// A flag the call sets that the description says it may not find already so: "Refused if the
// member is already unverified" (the flag `verified` false) refuses a second call, and "already
// suspended" (true) on a call that suspends.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const data = {
  members: {
    m_1: { id: "m_1", name: "Ines", verified: true, suspended: false },
    m_2: { id: "m_2", name: "Oskar", verified: false, suspended: true },
  },
};

const unverify = toolSpec(
  "unverify_member",
  { member_id: { type: "string" } },
  ["member_id"],
  "Marks a member unverified (sets verified to false). Refused if the member is already unverified. Returns the member.",
);
const suspend = toolSpec(
  "suspend_member",
  { member_id: { type: "string" } },
  ["member_id"],
  "Suspends a member (sets suspended to true). Refused if the member is already suspended. Returns the member.",
);

describe("a flag the call may not find already set", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("refuses a member already unverified, or already suspended, and changes the others", async () => {
    const env = await serviceEnvironment(sandbox, [unverify, suspend], data);
    const { outcomes, state } = await env.run([
      { tool: "unverify_member", arguments: { member_id: "m_2" } },
      { tool: "unverify_member", arguments: { member_id: "m_1" } },
      { tool: "unverify_member", arguments: { member_id: "m_1" } },
      { tool: "suspend_member", arguments: { member_id: "m_2" } },
      { tool: "suspend_member", arguments: { member_id: "m_1" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([false, true, false, false, true]);
    expect(state.members).toEqual({
      m_1: { id: "m_1", name: "Ines", verified: false, suspended: true },
      m_2: data.members.m_2,
    });
  });
});
