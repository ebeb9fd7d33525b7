// Who acts may not act on themself ("never on their own record", "may not approve their own
// claim"): of two parameters naming one table, the one under a role (`reviewing_clerk_id`) must
// differ from the plain one (`clerk_id`), or from the field of the record acted on that refers to
// that table (a claim's `clerk_id`).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

describe("who acts may not act on their own record", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  const data = () => ({
    clerks: {
      c1: { id: "c1", name: "Rosa", credits: 5 },
      c2: { id: "c2", name: "Ivo", credits: 2 },
    },
    claims: {
      k1: { id: "k1", clerk_id: "c1", state: "open" },
      k2: { id: "k2", clerk_id: "c2", state: "open" },
    },
  });
  const tools = [
    toolSpec(
      "grant_clerk_credits",
      { clerk_id: { type: "string" }, reviewing_clerk_id: { type: "string" }, credits: { type: "integer" } },
      ["clerk_id", "reviewing_clerk_id", "credits"],
      "Grant credits to a clerk (reviewers only; never on their own record). Sets credits to the given number.",
    ),
    toolSpec(
      "close_claim",
      { claim_id: { type: "string" }, reviewing_clerk_id: { type: "string" } },
      ["claim_id", "reviewing_clerk_id"],
      "Close a claim; its state becomes closed. A reviewer may not close their own claim.",
    ),
  ];

  it("refuses the call when the one who acts is the one acted on, and lets another through", async () => {
    const env = await serviceEnvironment(sandbox, tools, data());
    const { outcomes, state } = await env.run([
      { tool: "grant_clerk_credits", arguments: { clerk_id: "c1", reviewing_clerk_id: "c1", credits: 9 } },
      { tool: "grant_clerk_credits", arguments: { clerk_id: "c1", reviewing_clerk_id: "c2", credits: 9 } },
      { tool: "close_claim", arguments: { claim_id: "k2", reviewing_clerk_id: "c2" } },
      { tool: "close_claim", arguments: { claim_id: "k2", reviewing_clerk_id: "c1" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([false, true, false, true]);
    expect((state.clerks as Record<string, { credits: number }>).c1?.credits).toBe(9);
    expect((state.claims as Record<string, { state: string }>).k2?.state).toBe("closed");
  });
});
