// A number of a new record that the entry a parameter names holds: a perk claimed on a tier of the
// member's club costs what that tier costs (an element of the club's list of tiers, found by its id),
// and the points it takes from the member are that cost, not a default 0.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const data = {
  clubs: {
    club_1: {
      id: "club_1",
      name: "Rowers",
      perk_tiers: [
        { id: "tier_a", name: "Towel", cost: 50 },
        { id: "tier_b", name: "Jacket", cost: 300 },
      ],
    },
  },
  members: {
    mem_1: { id: "mem_1", club_id: "club_1", points: 420 },
    mem_2: { id: "mem_2", club_id: "club_1", points: 60 },
  },
  perks: {
    prk_101: { id: "prk_101", member_id: "mem_2", tier_id: "tier_a", cost: 50, status: "CLAIMED" },
    prk_102: { id: "prk_102", member_id: "mem_1", tier_id: "tier_b", cost: 300, status: "CLAIMED" },
    prk_103: { id: "prk_103", member_id: "mem_1", tier_id: "tier_a", cost: 50, status: "CLAIMED" },
  },
};

const claim = toolSpec(
  "create_perk",
  { member_id: { type: "string" }, tier_id: { type: "string", description: "One of the member's club's perk tiers." } },
  ["member_id", "tier_id"],
  "Claims a perk for a member on a tier of their club's perk tiers. Effects: a Perk {id, member_id, tier_id, cost, status CLAIMED} is stored; the perk's cost is taken from the member's points. Returns the perk.",
);

describe("a number the entry a parameter names holds", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("gives the new perk its tier's cost and takes that from the member", async () => {
    const env = await serviceEnvironment(sandbox, [claim], data);
    const { outcomes, state } = await env.run([{ tool: "create_perk", arguments: { member_id: "mem_1", tier_id: "tier_b" } }]);
    expect(outcomes.map((o) => o.ok)).toEqual([true]);
    const perks = state.perks as Record<string, { cost: number }>;
    expect(perks.prk_104?.cost).toBe(300);
    expect((state.members as Record<string, { points: number }>).mem_1?.points).toBe(120);
  });
});
