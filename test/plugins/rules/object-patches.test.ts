// An update tool whose object parameter says only some of what the record's object of that name
// holds (a greenhouse's `climate` settings: target temperature and humidity, where the record keeps
// its sensor and schedule too): the call changes the parts it gives and keeps the rest. With a part
// `required`, the object parameter says every part it lists, and what it leaves out is gone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const climate = (target_c: number, humidity: number) => ({
  target_c,
  humidity,
  sensor: "probe-7",
  night_mode: true,
  vent_schedule: "dawn",
});
const data = {
  greenhouses: {
    g1: {
      id: "g1",
      name: "Fern house",
      climate: climate(21, 70),
      crop: { kind: "ferns", bed: "A", sown_on: "2025-02-01", lot: "L-1" },
      keeper: { first: "Ada", last: "Moss" },
    },
    g2: {
      id: "g2",
      name: "Cactus house",
      climate: climate(26, 20),
      crop: { kind: "cacti", bed: "B", sown_on: "2025-01-12", lot: "L-2" },
      keeper: { first: "Ben", last: "Reed" },
    },
  },
};
const tools = [
  toolSpec(
    "update_greenhouse",
    {
      greenhouse_id: { type: "string", description: "The greenhouse's id." },
      climate: {
        type: "object",
        properties: { target_c: { type: "number" }, humidity: { type: "number" } },
        additionalProperties: false,
      },
      keeper: {
        type: "object",
        properties: { first: { type: "string" }, last: { type: "string" } },
        additionalProperties: false,
      },
      crop: {
        type: "object",
        properties: { kind: { type: "string" }, bed: { type: "string" } },
        required: ["kind"],
        additionalProperties: false,
      },
    },
    ["greenhouse_id"],
    "Update a greenhouse's climate or crop.",
  ),
];

describe("an object parameter that says part of the record's object", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("changes the parts the call gives and keeps the others", async () => {
    const env = await serviceEnvironment(sandbox, tools, data);
    const { outcomes, state } = await env.run([
      { tool: "update_greenhouse", arguments: { greenhouse_id: "g1", climate: { humidity: 55 }, keeper: { last: "Moss-Ray" } } },
      { tool: "update_greenhouse", arguments: { greenhouse_id: "g2", crop: { kind: "succulents" } } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true]);
    const houses = state.greenhouses as Record<string, { climate: object; crop: object; keeper: object }>;
    expect(houses.g1?.climate).toEqual(climate(21, 55));
    // Every part of the keeper is optional: the call that gives one keeps the other, though it could say both.
    expect(houses.g1?.keeper).toEqual({ first: "Ada", last: "Moss-Ray" });
    // `kind` is required: the crop object says its parts, so the bed it leaves out goes; the lot and
    // sowing date, which no call can say, stay.
    expect(houses.g2?.crop).toEqual({ kind: "succulents", sown_on: "2025-01-12", lot: "L-2" });
    expect(houses.g1?.crop).toEqual(data.greenhouses.g1.crop);
  });
});
