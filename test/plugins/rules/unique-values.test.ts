// Values unique within a parent: "Nicknames are unique per League (case-insensitive)" and a
// parameter "Pitch name, unique within the League" refuse a new record whose value another record
// of the same league holds (in any case), and take it in another league.
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

const leagues = () => ({
  leagues: { lg_1: { id: "lg_1", title: "Valley" }, lg_2: { id: "lg_2", title: "Coast" } },
  teams: {
    tm_1: { id: "tm_1", league_id: "lg_1", nickname: "Otters" },
    tm_2: { id: "tm_2", league_id: "lg_2", nickname: "Gulls" },
  },
  pitches: {
    pt_1: { id: "pt_1", league_id: "lg_1", name: "North Field" },
    pt_2: { id: "pt_2", league_id: "lg_2", name: "Dune Park" },
  },
});

const team = toolSpec(
  "create_team",
  { league_id: { type: "string", description: "League id." }, nickname: { type: "string", description: "The nickname." } },
  ["league_id", "nickname"],
  "Create a Team in a League. Nicknames are unique per League (case-insensitive).",
);
const pitch = toolSpec(
  "create_pitch",
  {
    league_id: { type: "string", description: "League id." },
    name: { type: "string", description: "Pitch name, unique within the League." },
  },
  ["league_id", "name"],
  "Create a Pitch for a League.",
);

describe("values unique within a parent", () => {
  it("refuses a value the parent's records hold and takes it elsewhere", async () => {
    const env = await serviceEnvironment(sandbox, [team, pitch], leagues());
    const { outcomes } = await env.run([
      { tool: "create_team", arguments: { league_id: "lg_1", nickname: "otters" } },
      { tool: "create_team", arguments: { league_id: "lg_2", nickname: "Otters" } },
      { tool: "create_pitch", arguments: { league_id: "lg_2", name: "Dune Park" } },
      { tool: "create_pitch", arguments: { league_id: "lg_1", name: "Dune Park" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([false, true, false, true]);
  });
});
