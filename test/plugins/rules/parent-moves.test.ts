// A record moved from one parent to another: "sets room_id to the destination …; increments the
// destination's occupied_count and frees the bed in the previous room (the previous room's
// occupied_count decreases by 1)". The call's own record is the one that holds the others (the stay,
// not the room that keeps a list of guests); the parameter's description gives its record's role
// ("id of the destination room"), which the description then uses alone; the record the stay still
// holds is the old one, acted on before the reference is rewritten; and verification's valid call
// moves to another room than the current one, or nothing would be seen to move.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Rng } from "../../../kernel/rng.ts";
import { applyRules } from "../../../lib/contracts/domain-rules.ts";
import type { DomainState } from "../../../lib/contracts/domain-state.ts";
import type { ServiceModel } from "../../../lib/contracts/tool-rules.ts";
import { inferTables } from "../../../lib/data-pack/tables.ts";
import { serviceCall } from "../../../lib/domain-model/service-arguments.ts";
import { deriveRules } from "../../../plugins/rules/derive.ts";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const I = (description: string) => ({ type: "integer", description });

const data = () => ({
  guests: {
    "501": { id: 501, name: "Ada" },
    "502": { id: 502, name: "Bo" },
  },
  rooms: {
    "71": { id: 71, name: "North", occupied_count: 3, capacity: 4, waiting: [502] },
    "72": { id: 72, name: "South", occupied_count: 1, capacity: 4, waiting: [] },
    "73": { id: 73, name: "East", occupied_count: 2, capacity: 2, waiting: [501] },
  },
  stays: {
    "9001": { id: 9001, guest_id: 501, room_id: 71, status: "open", updated_at: "2025-01-01" },
    "9002": { id: 9002, guest_id: 502, room_id: 72, status: "open", updated_at: "2025-01-01" },
  },
});

const move = toolSpec(
  "change_stay_room",
  {
    guest_id: I("Numeric id of the guest."),
    stay_id: I("Numeric id of the stay."),
    room_id: I("Numeric id of the destination room, e.g. 72."),
  },
  ["guest_id", "stay_id", "room_id"],
  "Move a guest's open stay to another room of the hostel. Keeps the stay id; sets room_id to the destination and updated_at to today; increments the destination's occupied_count and frees the bed in the previous room (the previous room's occupied_count decreases by 1). Returns the Stay.",
);

function rulesOf(): ServiceModel {
  const d = data() as unknown as DomainState;
  const tables = inferTables(d, { lists: {}, singles: [] });
  return deriveRules("d", [move], tables, d, null).tools.find((t) => t.tool === "change_stay_room")?.service as ServiceModel;
}

describe("a record moved between parents", () => {
  it("changes the record that holds the others, and reads the roles its description gives", () => {
    const s = rulesOf();
    expect(s.table).toBe("stays");
    expect(s.keyParameter).toBe("stay_id");
    const rules = s.effects.map((r) => r.rule);
    expect(rules).toContainEqual({ kind: "set", place: { hops: [], path: ["room_id"] }, value: { kind: "parameter", name: "room_id" } });
    expect(rules).toContainEqual({
      kind: "add",
      place: { hops: [], root: { table: "rooms", key: { kind: "parameter", name: "room_id" } }, path: ["occupied_count"] },
      amount: { kind: "constant", value: 1 },
      sign: 1,
    });
    expect(rules).toContainEqual({
      kind: "add",
      place: { hops: [{ field: "room_id", table: "rooms" }], path: ["occupied_count"] },
      amount: { kind: "constant", value: 1 },
      sign: -1,
    });
  });
});

describe("a move between parents, end to end", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("frees the old room and fills the new one, whatever order the description says it in", async () => {
    const env = await serviceEnvironment(sandbox, [move], data());
    const { outcomes, state } = await env.run([{ tool: "change_stay_room", arguments: { guest_id: 501, stay_id: 9001, room_id: 72 } }]);
    expect(outcomes.map((o) => (o.ok ? true : JSON.stringify(o)))).toEqual([true]);
    const rooms = state.rooms as Record<string, { occupied_count: number }>;
    expect([rooms["71"]?.occupied_count, rooms["72"]?.occupied_count, rooms["73"]?.occupied_count]).toEqual([2, 2, 2]);
    expect((state.stays as Record<string, { room_id: number }>)["9001"]?.room_id).toBe(72);
  });

  it("builds a valid call that moves to another room than the one held", async () => {
    const env = await serviceEnvironment(sandbox, [move], data());
    const model = applyRules(env.schema, env.rules).tools.find((t) => t.tool === "change_stay_room");
    if (!model) throw new Error("no change_stay_room");
    const state = data() as unknown as DomainState;
    for (let attempt = 0; attempt < 3; attempt++) {
      const input = { model, schema: env.schema, state, parameters: move.parameters, clock: "2025-03-03T09:00:00Z", rng: Rng.forRun(1) };
      const built = serviceCall(input, attempt);
      const stay = state.stays?.[String(built?.args.stay_id)];
      expect(built?.args.room_id).toBeDefined();
      expect(String(built?.args.room_id)).not.toBe(String(stay?.room_id));
    }
  });
});
