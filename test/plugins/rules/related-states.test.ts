// State words said of related records, on a small marina of our own: "the berth becomes taken" (a
// yes/no field named by the word's opposite), "the berth becomes available and fouled" (an enum
// value too), "its berth is released" (the reference cleared), "its tabs are settled" (records
// that refer back), and a move: "the old berth becomes … and the new one taken".
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

const marina = () => ({
  berths: {
    B1: { id: "B1", label: "North 1", state: { isAvailable: false, upkeep: "Hosed" } },
    B2: { id: "B2", label: "North 2", state: { isAvailable: true, upkeep: "Hosed" } },
    B3: { id: "B3", label: "South 1", state: { isAvailable: true, upkeep: "Fouled" } },
  },
  moorings: {
    M1: { id: "M1", status: "Docked", berth: { id: "B1", label: "North 1" } },
    M2: { id: "M2", status: "Booked", berth: { id: "B2", label: "North 2" } },
    M3: { id: "M3", status: "Booked", berth: null },
    M4: { id: "M4", status: "Left", berth: null },
    M5: { id: "M5", status: "Absent", berth: null },
  },
  tabs: {
    T1: { id: "T1", mooringId: "M1", status: "Open" },
    T2: { id: "T2", mooringId: "M2", status: "Open" },
    T3: { id: "T3", mooringId: "M4", status: "Settled" },
  },
});

const id = { mooringId: { type: "string", description: "Mooring id" } };
const tools = [
  toolSpec(
    "dock_mooring",
    id,
    ["mooringId"],
    "Docks the boat of a Booked mooring. Only possible with a berth assigned that is Hosed. Its status becomes Docked, and the berth becomes taken.",
  ),
  toolSpec(
    "undock_mooring",
    id,
    ["mooringId"],
    "Undocks the boat of a Docked mooring. The mooring's status becomes Left, its tabs are settled, and the berth becomes available and fouled.",
  ),
  toolSpec(
    "mark_mooring_absent",
    id,
    ["mooringId"],
    "Sets a Booked mooring whose arrival day has passed without the boat arriving to Absent. The berth is released.",
  ),
  toolSpec("drop_mooring", id, ["mooringId"], "Drops a Booked mooring. Its status becomes Left and its berth is released."),
  toolSpec(
    "assign_berth_to_mooring",
    { ...id, berthId: { type: "string", description: "Berth id" } },
    ["mooringId", "berthId"],
    "Assigns a berth to a Booked or Docked mooring. For a Docked mooring this is a move: the skipper's old berth becomes available and fouled and the new one taken.",
  ),
];

describe("state words said of related records", () => {
  it("sets the referred record's yes/no field and enum value, the records that refer back, and clears a released reference", async () => {
    const env = await serviceEnvironment(sandbox, tools, marina());
    const { outcomes, state } = await env.run([
      { tool: "dock_mooring", arguments: { mooringId: "M2" } },
      { tool: "undock_mooring", arguments: { mooringId: "M1" } },
      { tool: "drop_mooring", arguments: { mooringId: "M3" } },
      { tool: "mark_mooring_absent", arguments: { mooringId: "M2" } },
      { tool: "mark_mooring_absent", arguments: { mooringId: "M1" } },
    ]);
    // "Sets a Booked mooring … to Absent": the record's own state, and only from Booked.
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true, false, false]);
    const berths = state.berths as Record<string, { state: unknown }>;
    expect(berths.B2?.state).toEqual({ isAvailable: false, upkeep: "Hosed" });
    expect(berths.B1?.state).toEqual({ isAvailable: true, upkeep: "Fouled" });
    const tabs = state.tabs as Record<string, { status: string }>;
    expect([tabs.T1?.status, tabs.T2?.status]).toEqual(["Settled", "Open"]);
    const moorings = state.moorings as Record<string, { berth: unknown; status: string }>;
    expect(moorings.M3).toMatchObject({ status: "Left", berth: null });
  });

  it("assigns the named record to the reference, and on a move frees the old one and takes the new one", async () => {
    const env = await serviceEnvironment(sandbox, tools, marina());
    const { outcomes, state } = await env.run([
      { tool: "assign_berth_to_mooring", arguments: { mooringId: "M3", berthId: "B3" } },
      { tool: "assign_berth_to_mooring", arguments: { mooringId: "M1", berthId: "B2" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true]);
    const moorings = state.moorings as Record<string, { berth: unknown }>;
    expect(moorings.M3?.berth).toEqual({ id: "B3", label: "South 1" });
    expect(moorings.M1?.berth).toEqual({ id: "B2", label: "North 2" });
    const berths = state.berths as Record<string, { state: unknown }>;
    // A Booked mooring's assignment is no move: the berth it takes keeps its state.
    expect(berths.B3?.state).toEqual({ isAvailable: true, upkeep: "Fouled" });
    expect(berths.B1?.state).toEqual({ isAvailable: true, upkeep: "Fouled" });
    expect(berths.B2?.state).toEqual({ isAvailable: false, upkeep: "Hosed" });
  });

  it("refuses a call whose related record is not in the state the words require, or is not there", async () => {
    const env = await serviceEnvironment(sandbox, tools, marina());
    const { outcomes, state } = await env.run([
      { tool: "dock_mooring", arguments: { mooringId: "M3" } },
      { tool: "assign_berth_to_mooring", arguments: { mooringId: "M3", berthId: "B3" } },
      { tool: "dock_mooring", arguments: { mooringId: "M3" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([false, true, false]);
    expect((state.moorings as Record<string, { status: string }>).M3?.status).toBe("Booked");
  });

  it("reads no state of a related record from words that name none of its values", async () => {
    const env = await serviceEnvironment(
      sandbox,
      [
        toolSpec(
          "dock_mooring",
          id,
          ["mooringId"],
          "Docks the boat of a Booked mooring. Its status becomes Docked, and the berth becomes famous.",
        ),
      ],
      marina(),
    );
    const rule = env.rules.tools[0]?.service?.effects.find((r) => JSON.stringify(r.rule).includes("berths"));
    expect(rule).toBeUndefined();
  });
});
