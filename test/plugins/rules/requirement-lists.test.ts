// A description's list of what a call needs ("Requirements: …; balance_due is 0; the member is not
// suspended"), on small data of our own: each item is a condition the call must meet, never a change
// it makes. The record's own number is kept as a requirement checked on a record of the data that
// breaks it, and the state of the record it refers to is required, not set.
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

const library = () => ({
  members: {
    mem_1: { id: "mem_1", name: "Ines", suspended: false },
    mem_2: { id: "mem_2", name: "Otto", suspended: true },
  },
  loans: {
    loan_1: { id: "loan_1", member_id: "mem_1", status: "open", balance_due: 0 },
    loan_2: { id: "loan_2", member_id: "mem_1", status: "open", balance_due: 450 },
    loan_3: { id: "loan_3", member_id: "mem_2", status: "open", balance_due: 0 },
    loan_4: { id: "loan_4", member_id: "mem_1", status: "closed", balance_due: 0 },
  },
});

const close = toolSpec(
  "close_loan",
  { loan_id: { type: "string", description: "Loan id, e.g. loan_1" } },
  ["loan_id"],
  'Close a loan. Requirements: status "open"; balance_due is 0 (the loan is settled); the member is not suspended. The status becomes "closed". Returns the loan.',
);

describe("a list of requirements", () => {
  it("reads each item as a condition the call needs, never as a change", async () => {
    const env = await serviceEnvironment(sandbox, [close], library());
    const service = env.rules.tools[0]?.service;
    // "the member is not suspended" is no effect on the member.
    expect(service?.effects.some((e) => e.rule.kind === "set" && e.rule.place.hops.length > 0)).toBe(false);
    const { outcomes } = await env.run([
      { tool: "close_loan", arguments: { loan_id: "loan_2" } },
      { tool: "close_loan", arguments: { loan_id: "loan_3" } },
      { tool: "close_loan", arguments: { loan_id: "loan_1" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([false, false, true]);
  });
});
