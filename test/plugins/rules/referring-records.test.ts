// Records that refer back to the tool's record, on a small marina of our own: "the open berthage
// lines are removed from its tab" (the tab whose mooringId names the mooring), and a mooring's
// `owed` that the data keeps equal to the total of its tabs' `owed`, kept so when a tab moves.
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

const line = (kind: string, price: number) => ({ kind, price });
const marina = () => ({
  moorings: {
    M1: { id: "M1", status: "Booked", owed: -70 },
    M2: { id: "M2", status: "Booked", owed: -30 },
    M3: { id: "M3", status: "Docked", owed: -55 },
  },
  tabs: {
    T1: { id: "T1", mooringId: "M1", lines: [line("Berthage", 40), line("Fuel", 30)], owed: -70 },
    T2: { id: "T2", mooringId: "M2", lines: [line("Berthage", 30)], owed: -30 },
    T3: { id: "T3", mooringId: "M3", lines: [line("Berthage", 40), line("Fuel", 15)], owed: -55 },
  },
});

const tools = [
  toolSpec(
    "drop_mooring",
    { mooringId: { type: "string", description: "Mooring id" } },
    ["mooringId"],
    "Drops a Booked mooring. The open berthage lines are removed from its tab. Its status becomes Left.",
  ),
  toolSpec(
    "pay_tab",
    { tabId: { type: "string", description: "Tab id" }, amount: { type: "number", description: "Amount paid" } },
    ["tabId", "amount"],
    "Records a payment on a tab. The tab's owed goes up by the amount.",
  ),
];

describe("records that refer back to the tool's record", () => {
  it("removes the entries the words name from the referring record's list, and only those", async () => {
    const env = await serviceEnvironment(sandbox, tools, marina());
    const { outcomes, state } = await env.run([{ tool: "drop_mooring", arguments: { mooringId: "M1" } }]);
    expect(outcomes.map((o) => o.ok)).toEqual([true]);
    const tabs = state.tabs as Record<string, { lines: unknown[] }>;
    expect(tabs.T1?.lines).toEqual([line("Fuel", 30)]);
    expect(tabs.T2?.lines).toEqual([line("Berthage", 30)]);
  });

  it("keeps a total the data keeps of the referring records: a payment on a tab moves its mooring's owed", async () => {
    const env = await serviceEnvironment(sandbox, tools, marina());
    const { outcomes, state } = await env.run([{ tool: "pay_tab", arguments: { tabId: "T3", amount: 20 } }]);
    expect(outcomes.map((o) => o.ok)).toEqual([true]);
    const moorings = state.moorings as Record<string, { owed: number }>;
    expect([moorings.M3?.owed, moorings.M1?.owed]).toEqual([-35, -70]);
  });

  it("keeps no total the data does not keep", async () => {
    const data = marina();
    data.moorings.M2.owed = -10;
    const env = await serviceEnvironment(sandbox, tools, data);
    const pay = env.rules.tools.find((t) => t.tool === "pay_tab")?.service;
    expect(pay?.effects.some((r) => r.rule.kind === "set" && r.rule.value.kind === "aggregate")).toBe(false);
  });
});
