// Numbers a record's lines move on records found by two references: "For each line, on_hand at the
// sender goes down by the trays … and on_order at the receiver goes up by the trays": every line
// names a pastry, the shuttle names the kitchens, and the shelf moved is the pastry's at that
// kitchen. Each change to on_hand records its own log entry, in line order, keys from the counter;
// a line asking for more than the sender holds refuses the call and moves nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const data = {
  kitchens: {
    k_north: { id: "k_north", name: "North" },
    k_south: { id: "k_south", name: "South" },
  },
  pastries: {
    p_cro: { id: "p_cro", name: "Croissant" },
    p_bun: { id: "p_bun", name: "Cinnamon bun" },
  },
  shelves: [
    { pastry_id: "p_cro", kitchen_id: "k_north", on_hand: 20, on_order: 0, touched_at: "2025-01-01" },
    { pastry_id: "p_cro", kitchen_id: "k_south", on_hand: 4, on_order: 0, touched_at: "2025-01-01" },
    { pastry_id: "p_bun", kitchen_id: "k_north", on_hand: 3, on_order: 0, touched_at: "2025-01-01" },
    { pastry_id: "p_bun", kitchen_id: "k_south", on_hand: 9, on_order: 2, touched_at: "2025-01-01" },
  ],
  shuttles: {
    "7": {
      id: 7,
      status: "loaded",
      sender_kitchen_id: "k_north",
      receiver_kitchen_id: "k_south",
      lines: [
        { pastry_id: "p_cro", trays: 5 },
        { pastry_id: "p_bun", trays: 2 },
      ],
    },
    "8": {
      id: 8,
      status: "loaded",
      sender_kitchen_id: "k_north",
      receiver_kitchen_id: "k_south",
      lines: [
        { pastry_id: "p_cro", trays: 1 },
        { pastry_id: "p_bun", trays: 6 },
      ],
    },
    "6": {
      id: 6,
      status: "arrived",
      sender_kitchen_id: "k_south",
      receiver_kitchen_id: "k_north",
      lines: [{ pastry_id: "p_bun", trays: 1 }],
    },
  },
  shelf_logs: {
    "39": {
      id: 39,
      pastry_id: "p_bun",
      kitchen_id: "k_north",
      delta: 1,
      on_hand_after: 3,
      reason: "shuttle_in",
      shuttle_id: 6,
      created_at: "2025-01-01",
    },
  },
  counters: { next_log_id: 40 },
};

const dispatch = toolSpec(
  "dispatch_shuttle",
  { shuttle_id: { type: "integer" } },
  ["shuttle_id"],
  "Dispatches a loaded shuttle: status becomes en_route. For each line, on_hand at the sender goes down by the trays (log entry with reason shuttle_out) and on_order at the receiver goes up by the trays; each shelf's touched_at becomes today. Refused unless the shuttle is loaded, or if the sender has fewer on_hand trays than a line asks for. Each change to `on_hand` appends an entry to the shelf log: {id, pastry_id, kitchen_id, delta, on_hand_after, reason, shuttle_id, created_at}; entry ids come from the counter `next_log_id`.",
);

describe("numbers a record's lines move on records found by two references", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("moves every line's shelf at the sender and at the receiver, one log entry per on_hand change", async () => {
    const env = await serviceEnvironment(sandbox, [dispatch], data);
    const { outcomes, state } = await env.run([{ tool: "dispatch_shuttle", arguments: { shuttle_id: 7 } }]);
    expect(outcomes.map((o) => o.ok)).toEqual([true]);
    const shelves = state.shelves as { pastry_id: string; kitchen_id: string; on_hand: number; on_order: number; touched_at: string }[];
    const at = (p: string, k: string) => shelves.find((s) => s.pastry_id === p && s.kitchen_id === k);
    expect(at("p_cro", "k_north")?.on_hand).toBe(15);
    expect(at("p_bun", "k_north")?.on_hand).toBe(1);
    expect(at("p_cro", "k_south")).toMatchObject({ on_hand: 4, on_order: 5 });
    expect(at("p_bun", "k_south")).toMatchObject({ on_hand: 9, on_order: 4 });
    expect(at("p_cro", "k_north")?.touched_at).not.toBe("2025-01-01");
    const logs = state.shelf_logs as Record<string, Record<string, unknown>>;
    expect(logs["40"]).toMatchObject({
      id: 40,
      pastry_id: "p_cro",
      kitchen_id: "k_north",
      delta: -5,
      on_hand_after: 15,
      reason: "shuttle_out",
      shuttle_id: 7,
    });
    expect(logs["41"]).toMatchObject({
      id: 41,
      pastry_id: "p_bun",
      kitchen_id: "k_north",
      delta: -2,
      on_hand_after: 1,
      reason: "shuttle_out",
      shuttle_id: 7,
    });
    expect(Object.keys(logs).sort()).toEqual(["39", "40", "41"]);
    expect(state.counters).toEqual({ next_log_id: 42 });
  });

  it("refuses a shuttle a line of which the sender cannot fill, and moves nothing", async () => {
    const env = await serviceEnvironment(sandbox, [dispatch], data);
    const { outcomes, state } = await env.run([{ tool: "dispatch_shuttle", arguments: { shuttle_id: 8 } }]);
    expect(outcomes.map((o) => o.ok)).toEqual([false]);
    // (In any order: the list is the data's, its order is not what the call is about.)
    expect(state.shelves).toHaveLength(data.shelves.length);
    expect(state.shelves).toEqual(expect.arrayContaining(data.shelves));
    expect(state.shelf_logs).toEqual(data.shelf_logs);
    expect(state.counters).toEqual(data.counters);
  });
});
