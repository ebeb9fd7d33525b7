// Counts a record keeps of the records of another table in a given state, as the data shows them:
// each guild's `stats.active_count` (its active crafters), `stats.retired_count` and `stats.total_listed`
// (every crafter not gone), and the hall's one record's `total_actives` (active crafters of every
// guild). A call that changes a crafter's state, or adds one, counts again; one that changes other
// fields leaves the counts alone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const crafter = (id: string, guild_id: string, state: string, motto = "") => ({ id, guild_id, state, motto });
const crafters = [
  crafter("c1", "g_wood", "active"),
  crafter("c2", "g_wood", "active"),
  crafter("c3", "g_wood", "retired"),
  crafter("c4", "g_wood", "gone"),
  crafter("c5", "g_iron", "active"),
  crafter("c6", "g_iron", "retired"),
  crafter("c7", "g_iron", "retired"),
  crafter("c8", "g_clay", "active"),
  crafter("c9", "g_clay", "active"),
  crafter("c10", "g_clay", "active"),
  crafter("c11", "g_clay", "retired"),
];
const guild = (id: string, active: number, retired: number, roster: number) => ({
  id,
  name: id.slice(2),
  stats: { active_count: active, retired_count: retired, total_listed: roster, founded_year: 1900 },
});
const data = {
  guilds: { g_wood: guild("g_wood", 2, 1, 3), g_iron: guild("g_iron", 1, 2, 3), g_clay: guild("g_clay", 3, 1, 4) },
  crafters: Object.fromEntries(crafters.map((c) => [c.id, c])),
  hall: { name: "Craft hall", total_actives: 6, founded_year: 1890 },
};

const tools = [
  toolSpec(
    "update_crafter",
    {
      crafter_id: { type: "string" },
      state: { type: "string", enum: ["active", "retired", "gone"] },
      motto: { type: "string" },
    },
    ["crafter_id"],
    "Update a crafter.",
  ),
  toolSpec(
    "add_crafter",
    { guild_id: { type: "string" }, state: { type: "string", enum: ["active", "retired"] } },
    ["guild_id", "state"],
    "Add a crafter to a guild.",
  ),
];

describe("counts a record keeps of other records", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("counts again when a record's state changes or a record is made, and not for other changes", async () => {
    const env = await serviceEnvironment(sandbox, tools, data);
    const { outcomes, state } = await env.run([
      { tool: "update_crafter", arguments: { crafter_id: "c1", state: "retired" } },
      { tool: "update_crafter", arguments: { crafter_id: "c5", state: "gone" } },
      { tool: "add_crafter", arguments: { guild_id: "g_clay", state: "active" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true]);
    const guilds = state.guilds as Record<string, { stats: Record<string, number> }>;
    expect(guilds.g_wood?.stats).toEqual({ active_count: 1, retired_count: 2, total_listed: 3, founded_year: 1900 });
    expect(guilds.g_iron?.stats).toEqual({ active_count: 0, retired_count: 2, total_listed: 2, founded_year: 1900 });
    expect(guilds.g_clay?.stats).toEqual({ active_count: 4, retired_count: 1, total_listed: 5, founded_year: 1900 });
    expect(state.hall).toEqual({ name: "Craft hall", total_actives: 5, founded_year: 1890 });
  });

  it("leaves the counts when a change sets no state", async () => {
    const env = await serviceEnvironment(sandbox, tools, data);
    const rule = env.rules.tools.find((t) => t.tool === "update_crafter");
    expect(JSON.stringify(rule)).toContain("active_count");
    const { state } = await env.run([{ tool: "update_crafter", arguments: { crafter_id: "c2", motto: "Measure twice" } }]);
    expect(state.guilds).toEqual(data.guilds);
    expect(state.hall).toEqual(data.hall);
  });
});
