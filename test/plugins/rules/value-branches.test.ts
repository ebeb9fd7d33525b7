// A choice of actions written value by value ("uphold (open disputes only): … the dispute becomes
// upheld. dismiss: the dispute becomes dismissed …"): each value leads to its own state, and the
// state one value's part requires binds that value only.
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

const court = () => ({
  disputes: {
    d_1: { id: "d_1", party: "Quill & Co", status: "open", note: null },
    d_2: { id: "d_2", party: "Marlow", status: "escalated", note: null },
    d_3: { id: "d_3", party: "Fenn", status: "upheld", note: "paid" },
    d_4: { id: "d_4", party: "Orsk", status: "dismissed", note: "no case" },
  },
});

const resolve = toolSpec(
  "resolve_dispute",
  {
    dispute_id: { type: "string", description: "Dispute id." },
    verdict: { type: "string", enum: ["uphold", "dismiss"], description: "uphold or dismiss." },
    note: { type: "string", description: "Reply to the party." },
  },
  ["dispute_id", "verdict"],
  "Resolve a Dispute as the clerk. uphold (open disputes only, while the party is active): pays the party; the dispute becomes upheld. dismiss: the dispute becomes dismissed with your note. A dispute in escalated cannot be upheld.",
);

describe("what each value of a choice does", () => {
  it("leads each value to its state and keeps one value's requirement to it", async () => {
    const env = await serviceEnvironment(sandbox, [resolve], court());
    const { outcomes, state } = await env.run([
      { tool: "resolve_dispute", arguments: { dispute_id: "d_2", verdict: "uphold" } },
      { tool: "resolve_dispute", arguments: { dispute_id: "d_2", verdict: "dismiss", note: "late" } },
      { tool: "resolve_dispute", arguments: { dispute_id: "d_1", verdict: "uphold" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([false, true, true]);
    const disputes = state.disputes as Record<string, { status: string }>;
    expect([disputes.d_2?.status, disputes.d_1?.status]).toEqual(["dismissed", "upheld"]);
  });
});
