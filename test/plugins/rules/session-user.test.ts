// The person a service acts for, through its one session record: "requires a signed-in session"
// refuses calls when nobody is signed in or the session's expiry is past (reads too), "refused when
// the logged-in user's plan is 'basic'" refuses by a field of that person; verification signs a
// person in first (one the tool accepts), so the data's own expired session does not make the
// rules look contradicted.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signInSetup } from "../../../lib/service-tools/sign-in-call.ts";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const S = (description: string) => ({ type: "string", description });
const NEEDS = "Needs a signed-in session: the session's expiry is later than the current time.";

const data = {
  auth: { member_id: "m2", token: "t1", valid_until: "2025-05-01T08:00:00Z", sign_ins: 3 },
  members: {
    m1: { id: "m1", email: "ana@example.org", pin: "1111", tier: "basic", name: "Ana" },
    m2: { id: "m2", email: "bo@example.org", pin: "2222", tier: "gold", name: "Bo" },
  },
  lockers: {
    L1: { id: "L1", label: "North", open: false },
    L2: { id: "L2", label: "South", open: false },
  },
};
const tools = [
  toolSpec(
    "sign_in",
    { email: S("Member email"), pin: S("Member pin") },
    ["email", "pin"],
    "Sign a member in by email and pin. Sets auth.member_id and valid_until = current time + 3600 s.",
  ),
  toolSpec("get_locker", { locker_id: S("Locker id") }, ["locker_id"], `Read a locker. ${NEEDS}`),
  toolSpec(
    "open_locker",
    { locker_id: S("Locker id") },
    ["locker_id"],
    `Open a locker: sets open to true. Refused with 403 when the logged-in member's tier is "basic". ${NEEDS}`,
  ),
];
const policy = "The service clock reads 2025-05-01T09:00:00Z.";

describe("the signed-in person of a session", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("refuses reads and changes on an expired session, and a person whose field the description refuses", async () => {
    const env = await serviceEnvironment(sandbox, tools, data, policy);
    const { outcomes, state } = await env.run([
      { tool: "get_locker", arguments: { locker_id: "L1" } },
      { tool: "open_locker", arguments: { locker_id: "L1" } },
      { tool: "sign_in", arguments: { email: "ana@example.org", pin: "1111" } },
      { tool: "get_locker", arguments: { locker_id: "L1" } },
      { tool: "open_locker", arguments: { locker_id: "L1" } },
      { tool: "sign_in", arguments: { email: "bo@example.org", pin: "2222" } },
      { tool: "open_locker", arguments: { locker_id: "L2" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([false, false, true, true, false, true, true]);
    expect((state.lockers as Record<string, { open: boolean }>).L2?.open).toBe(true);
    expect((state.lockers as Record<string, { open: boolean }>).L1?.open).toBe(false);
  });

  it("verification signs in first, as a person the tool accepts", async () => {
    const env = await serviceEnvironment(sandbox, tools, data, policy);
    const open = env.rules.tools.find((t) => t.tool === "open_locker");
    const setup = open ? signInSetup(open, env.rules.tools, { members: data.members }, (tool) => tool) : null;
    expect(setup).toEqual({ tool: "sign_in", arguments: { email: "bo@example.org", pin: "2222" } });
  });
});
