// Records a call singles out by two of its references rather than by a key (the stock of a part on a
// shelf: `part_id` and a shelf), on small data of our own: a tool that moves a number between two
// such records ("decrements on_hand at source_shelf_id and increments on_hand at target_shelf_id by
// count"), acts on the source's record, finds the target's by the part and the target shelf, sets
// "both slots'" times, and writes one history entry per change, each from the record it changed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServiceModel } from "../../../lib/contracts/tool-rules.ts";
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

const depot = () => ({
  parts: {
    "501": { id: 501, label: "hex bolt" },
    "502": { id: 502, label: "wing nut" },
  },
  shelves: {
    "11": { id: 11, aisle: "A", open: true },
    "12": { id: 12, aisle: "A", open: true },
    "13": { id: 13, aisle: "B", open: true },
  },
  slots: {
    "1": { id: 1, part_id: 501, shelf_id: 11, on_hand: 40, updated_at: "2025-01-10" },
    "2": { id: 2, part_id: 501, shelf_id: 12, on_hand: 5, updated_at: "2025-01-10" },
    "3": { id: 3, part_id: 502, shelf_id: 11, on_hand: 9, updated_at: "2025-01-10" },
    "4": { id: 4, part_id: 502, shelf_id: 13, on_hand: 0, updated_at: "2025-01-10" },
  },
  slot_movements: {
    "900": {
      id: 900,
      part_id: 501,
      shelf_id: 11,
      delta: 40,
      on_hand_after: 40,
      reason: "received",
      batch_id: null,
      created_at: "2025-01-10",
    },
  },
  counters: { next_movement_id: 901 },
});

const relocate = toolSpec(
  "relocate_stock",
  {
    part_id: { type: "integer", description: "Part id, e.g. 501." },
    source_shelf_id: { type: "integer", description: "Shelf the units leave." },
    target_shelf_id: { type: "integer", description: "Shelf the units arrive at." },
    count: { type: "integer", description: "Units to move, >= 1." },
  },
  ["part_id", "source_shelf_id", "target_shelf_id", "count"],
  "Moves units of one part between two shelves. Decrements on_hand at source_shelf_id and increments on_hand at target_shelf_id by count. " +
    "Sets both slots' updated_at to today and records two history entries with reason relocation: first the source, then the target. " +
    "Each change to `on_hand` appends an entry to the slot movement history: {id, part_id, shelf_id, delta, on_hand_after, reason, batch_id, created_at}; " +
    "entry ids come from the counter `next_movement_id`. Returns the source slot.",
);

describe("records found by two references", () => {
  it("moves the number from the source's record to the target's, stamps both, and writes an entry for each change", async () => {
    const env = await serviceEnvironment(sandbox, [relocate], depot(), "Today is 2025-02-01.");
    const service = env.rules.tools[0]?.service as ServiceModel;
    // The tool acts on a slot (not the movement history it writes), found by the part and the source shelf.
    expect(service.table).toBe("slots");
    expect(service.match.map((m) => [m.parameter, m.path.join(".")])).toEqual([
      ["part_id", "part_id"],
      ["source_shelf_id", "shelf_id"],
    ]);
    const { outcomes, state } = await env.run([
      { tool: "relocate_stock", arguments: { part_id: 501, source_shelf_id: 11, target_shelf_id: 12, count: 15 } },
    ]);
    expect(outcomes[0]?.ok).toBe(true);
    const slots = state.slots as Record<string, { on_hand: number; updated_at: string }>;
    expect([slots["1"]?.on_hand, slots["2"]?.on_hand, slots["3"]?.on_hand]).toEqual([25, 20, 9]);
    expect([slots["1"]?.updated_at, slots["2"]?.updated_at, slots["3"]?.updated_at]).toEqual(["2025-02-01", "2025-02-01", "2025-01-10"]);
    const movements = state.slot_movements as Record<string, Record<string, unknown>>;
    expect(movements["901"]).toMatchObject({ part_id: 501, shelf_id: 11, delta: -15, on_hand_after: 25, reason: "relocation" });
    expect(movements["902"]).toMatchObject({ part_id: 501, shelf_id: 12, delta: 15, on_hand_after: 20, reason: "relocation" });
    expect((state.counters as { next_movement_id: number }).next_movement_id).toBe(903);
  });

  it("refuses a move to a shelf that does not stock the part, changing nothing", async () => {
    const env = await serviceEnvironment(sandbox, [relocate], depot(), "Today is 2025-02-01.");
    const { outcomes, state } = await env.run([
      { tool: "relocate_stock", arguments: { part_id: 501, source_shelf_id: 11, target_shelf_id: 13, count: 1 } },
    ]);
    expect(outcomes[0]?.ok).toBe(false);
    expect(JSON.stringify(outcomes[0])).toMatch(/no slot with part_id 501 and shelf_id 13/);
    expect((state.slots as Record<string, { on_hand: number }>)["1"]?.on_hand).toBe(40);
    expect(Object.keys(state.slot_movements as object)).toEqual(["900"]);
  });
});
