// Lists that the data shows holding one entry per day of a record's dates, on a small marina of our
// own: a mooring's nightly fees, and its tab's berthage lines (the tab refers back to the mooring).
// A call that moves the dates keeps both so: dropped days go, added days get an entry like the last.
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

const night = (date: string) => ({ date, fee: 40 });
const berthage = (id: string, date: string) => ({ id, kind: "Berthage", date, price: 40 });
const marina = () => ({
  moorings: {
    M1: { id: "M1", startDate: "2025-05-01", endDate: "2025-05-03", nights: [night("2025-05-01"), night("2025-05-02")] },
    M2: { id: "M2", startDate: "2025-05-02", endDate: "2025-05-03", nights: [night("2025-05-02")] },
    M3: { id: "M3", startDate: "2025-05-04", endDate: "2025-05-07", nights: ["2025-05-04", "2025-05-05", "2025-05-06"].map(night) },
  },
  tabs: {
    T1: {
      id: "T1",
      mooringId: "M1",
      lines: [berthage("T1-1", "2025-05-01"), berthage("T1-2", "2025-05-02"), { id: "T1-3", kind: "Fuel", date: "2025-05-02", price: 12 }],
    },
    T2: { id: "T2", mooringId: "M2", lines: [berthage("T2-1", "2025-05-02")] },
    T3: {
      id: "T3",
      mooringId: "M3",
      lines: [berthage("T3-1", "2025-05-04"), berthage("T3-2", "2025-05-05"), berthage("T3-3", "2025-05-06")],
    },
  },
});

const changeDates = toolSpec(
  "change_mooring_dates",
  {
    mooringId: { type: "string", description: "Mooring id" },
    startDate: { type: "string", description: "New first night, YYYY-MM-DD" },
    endDate: { type: "string", description: "New day of leaving, YYYY-MM-DD" },
  },
  ["mooringId", "startDate", "endDate"],
  "Changes the dates of a mooring.",
);

describe("entries kept one per day of a record's dates", () => {
  it("drops the entries of days no longer covered and adds one per new day, on the record and on the record that refers back", async () => {
    const env = await serviceEnvironment(sandbox, [changeDates], marina());
    const { outcomes, state } = await env.run([
      { tool: "change_mooring_dates", arguments: { mooringId: "M1", startDate: "2025-05-02", endDate: "2025-05-05" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true]);
    const moorings = state.moorings as Record<string, { nights: unknown }>;
    expect(moorings.M1?.nights).toEqual(["2025-05-02", "2025-05-03", "2025-05-04"].map(night));
    const tabs = state.tabs as Record<string, { lines: unknown }>;
    // The fuel line is no nightly line: it stays; new lines are numbered on from the tab's last.
    expect(tabs.T1?.lines).toEqual([
      berthage("T1-2", "2025-05-02"),
      { id: "T1-3", kind: "Fuel", date: "2025-05-02", price: 12 },
      berthage("T1-4", "2025-05-03"),
      berthage("T1-5", "2025-05-04"),
    ]);
    expect(tabs.T3?.lines).toEqual(marina().tabs.T3.lines);
  });

  it("keeps nothing per day when the data's entries do not follow the dates", async () => {
    const data = marina();
    data.moorings.M3.nights = [night("2025-05-04")];
    data.tabs.T3.lines = [berthage("T3-1", "2025-05-04")];
    const env = await serviceEnvironment(sandbox, [changeDates], data);
    const effects = env.rules.tools[0]?.service?.effects.map((r) => r.rule.kind);
    expect(effects).not.toContain("days");
  });
});
