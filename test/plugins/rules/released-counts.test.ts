// "Cancel a Party: all its Diners are cancelled and their Sitting seats are released": each diner
// the party lists gives one seat back to the sitting it refers to (`seats_booked`, the usage count
// the word starts), and sittings of other parties keep theirs.
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

const supper = () => ({
  sittings: {
    st_1: { id: "st_1", hour: "19:00", seats_total: 20, seats_booked: 6 },
    st_2: { id: "st_2", hour: "21:00", seats_total: 20, seats_booked: 3 },
  },
  parties: {
    pa_1: { id: "pa_1", host: "Vey", status: "booked", diner_ids: ["dn_1", "dn_2", "dn_3"] },
    pa_2: { id: "pa_2", host: "Ulm", status: "cancelled", diner_ids: ["dn_4"] },
  },
  diners: {
    dn_1: { id: "dn_1", party_id: "pa_1", sitting_id: "st_1", cancelled: false },
    dn_2: { id: "dn_2", party_id: "pa_1", sitting_id: "st_1", cancelled: false },
    dn_3: { id: "dn_3", party_id: "pa_1", sitting_id: "st_2", cancelled: false },
    dn_4: { id: "dn_4", party_id: "pa_2", sitting_id: "st_2", cancelled: true },
  },
});

const cancel = toolSpec(
  "cancel_party",
  { party_id: { type: "string", description: "Party id." } },
  ["party_id"],
  "Cancel a Party: all its Diners are cancelled and their Sitting seats are released; the party status becomes cancelled.",
);

describe("counts released by the records let go", () => {
  it("gives back one seat per diner to the diner's sitting", async () => {
    const env = await serviceEnvironment(sandbox, [cancel], supper());
    const { outcomes, state } = await env.run([{ tool: "cancel_party", arguments: { party_id: "pa_1" } }]);
    expect(outcomes[0]?.ok).toBe(true);
    const sittings = state.sittings as Record<string, { seats_booked: number }>;
    expect([sittings.st_1?.seats_booked, sittings.st_2?.seats_booked]).toEqual([4, 2]);
    expect((state.diners as Record<string, { cancelled: boolean }>).dn_3?.cancelled).toBe(true);
  });
});
