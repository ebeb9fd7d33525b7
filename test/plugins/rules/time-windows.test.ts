// Calls allowed only in a window of time stated against the clock, on small data of our own: a
// booking is changed only before its start (a time the record keeps, named in brackets), and a new
// delivery slot must open now or later and at most 5 days ahead (a time the call gives).
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

const POLICY = "The current time is 2025-06-02T10:00:00Z.";

const studio = () => ({
  sessions: {
    ses_1: { id: "ses_1", status: "booked", opens_at: "2025-06-03T09:00:00Z", created_at: "2025-05-30T08:00:00Z" },
    ses_2: { id: "ses_2", status: "booked", opens_at: "2025-06-02T08:00:00Z", created_at: "2025-05-30T08:00:00Z" },
  },
  deliveries: {
    dlv_1: { id: "dlv_1", earliest: "2025-06-03T08:00:00Z", latest: "2025-06-03T12:00:00Z", note: null },
  },
});

const withdraw = toolSpec(
  "withdraw_session",
  { session_id: { type: "string", description: "The session." } },
  ["session_id"],
  "Withdraws a booked session before its slot begins (opens_at); after that the teacher is on the way. The session becomes withdrawn. Returns the Session.",
);

const plan = toolSpec(
  "plan_delivery",
  {
    earliest: { type: "string", description: 'Earliest drop-off time, e.g. "2025-06-04T08:00:00Z".' },
    latest: { type: "string", description: 'Latest drop-off time, e.g. "2025-06-04T12:00:00Z".' },
    note: { type: "string", description: "For the courier." },
  },
  ["earliest", "latest"],
  "Plans a Delivery in the slot earliest–latest. The slot must start now or later, no more than 5 days in advance. Returns the Delivery.",
);

describe("windows of time against the clock", () => {
  it("refuses a change once the record's own time has come", async () => {
    const env = await serviceEnvironment(sandbox, [withdraw], studio(), POLICY);
    const { outcomes } = await env.run([
      { tool: "withdraw_session", arguments: { session_id: "ses_2" } },
      { tool: "withdraw_session", arguments: { session_id: "ses_1" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([false, true]);
  });

  it("refuses a given time in the past or too far ahead", async () => {
    const env = await serviceEnvironment(sandbox, [plan], studio(), POLICY);
    const { outcomes } = await env.run([
      { tool: "plan_delivery", arguments: { earliest: "2025-06-01T08:00:00Z", latest: "2025-06-01T12:00:00Z" } },
      { tool: "plan_delivery", arguments: { earliest: "2025-06-09T08:00:00Z", latest: "2025-06-09T12:00:00Z" } },
      { tool: "plan_delivery", arguments: { earliest: "2025-06-05T08:00:00Z", latest: "2025-06-05T12:00:00Z" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([false, false, true]);
  });
});
