// A yes/no parameter that picks between an act and its undo ("Moor a Boat (moored true) or cast it
// off (moored false) … Sets the Boat status to Moored / Afloat"): true leads to the first state and
// refuses a boat already in it, false leads to the second and needs a boat in the first.
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

const quay = () => ({
  boats: {
    bt_1: { id: "bt_1", name: "Wren", status: "Afloat", moored: false },
    bt_2: { id: "bt_2", name: "Kite", status: "Moored", moored: true },
    bt_3: { id: "bt_3", name: "Rook", status: "Afloat", moored: false },
  },
});

const moor = toolSpec(
  "moor_boat",
  { boat_id: { type: "string", description: "Boat id." }, moored: { type: "boolean", description: "true to moor, false to cast off." } },
  ["boat_id", "moored"],
  "Moor a Boat at the quay (moored true) or cast it off (moored false). Sets the Boat status to Moored / Afloat.",
);

describe("a flag that picks an act or its undo", () => {
  it("leads each value to its state and refuses a boat in the wrong one", async () => {
    const env = await serviceEnvironment(sandbox, [moor], quay());
    const { outcomes, state } = await env.run([
      { tool: "moor_boat", arguments: { boat_id: "bt_1", moored: true } },
      { tool: "moor_boat", arguments: { boat_id: "bt_2", moored: true } },
      { tool: "moor_boat", arguments: { boat_id: "bt_2", moored: false } },
      { tool: "moor_boat", arguments: { boat_id: "bt_3", moored: false } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true, false]);
    const boats = state.boats as Record<string, { status: string }>;
    expect([boats.bt_1?.status, boats.bt_2?.status]).toEqual(["Moored", "Afloat"]);
  });
});
