// A bound in a remark after a parameter ("capacity (not below seats_taken)"): a new value below the
// record's number is refused, one at or above it is set (the bound checks the value, it does not
// use it up: the parameter still sets its field).
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

const hall = () => ({
  rooms: {
    rm_1: { id: "rm_1", name: "Loft", capacity: 30, seats_taken: 12, note: "" },
    rm_2: { id: "rm_2", name: "Cellar", capacity: 10, seats_taken: 0, note: "damp" },
  },
});

const resize = toolSpec(
  "update_room",
  {
    room_id: { type: "string", description: "Room id." },
    capacity: { type: "integer", description: "New capacity." },
    note: { type: "string", description: "A note." },
  },
  ["room_id"],
  "Update a Room: capacity (not below seats_taken), note.",
);

describe("a bound remarked after a parameter", () => {
  it("refuses a value below the record's number and sets one above it", async () => {
    const env = await serviceEnvironment(sandbox, [resize], hall());
    const { outcomes, state } = await env.run([
      { tool: "update_room", arguments: { room_id: "rm_1", capacity: 11 } },
      { tool: "update_room", arguments: { room_id: "rm_1", capacity: 12 } },
      { tool: "update_room", arguments: { room_id: "rm_2", note: "dry" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([false, true, true]);
    expect((state.rooms as Record<string, { capacity: number }>).rm_1?.capacity).toBe(12);
  });
});
