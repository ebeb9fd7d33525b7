// Records a create tool makes alongside the one it creates, on a small travel desk of our own:
// "Creates a trip with one or more legs … Each new leg gets its own ticket": each element of the
// `legs` argument is a record of legs, keyed as the data keys them (the trip's key, `-`, its
// number), and each new leg gets a ticket keyed from the leg's.
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

const desk = () => ({
  trips: {
    TR100: { id: "TR100", traveller: "Ines Varga", created: "2025-04-01T09:00:00Z" },
    TR101: { id: "TR101", traveller: "Tomas Ek", created: "2025-04-02T09:00:00Z" },
  },
  legs: {
    "TR100-1": {
      id: "TR100-1",
      tripId: "TR100",
      status: "Planned",
      origin: "Oslo",
      destination: "Bergen",
      fare: { amount: 80, currency: "NOK" },
    },
    "TR100-2": {
      id: "TR100-2",
      tripId: "TR100",
      status: "Flown",
      origin: "Bergen",
      destination: "Oslo",
      fare: { amount: 60, currency: "NOK" },
    },
    "TR101-1": {
      id: "TR101-1",
      tripId: "TR101",
      status: "Planned",
      origin: "Oslo",
      destination: "Tromsø",
      fare: { amount: 120, currency: "NOK" },
    },
  },
  tickets: {
    "TR100-1-1": { id: "TR100-1-1", legId: "TR100-1", tripId: "TR100", state: "Valid" },
    "TR100-2-1": { id: "TR100-2-1", legId: "TR100-2", tripId: "TR100", state: "Used" },
    "TR101-1-1": { id: "TR101-1-1", legId: "TR101-1", tripId: "TR101", state: "Valid" },
  },
});

const leg = { type: "object", properties: { origin: { type: "string" }, destination: { type: "string" } } };
const createTrip = (description: string) =>
  toolSpec(
    "create_trip",
    { traveller: { type: "string", description: "Who travels" }, legs: { type: "array", items: leg, description: "The legs" } },
    ["traveller", "legs"],
    description,
  );

describe("records made alongside a created record", () => {
  it("makes each element of the array a record of the table it names, each with its own record of the table the words name", async () => {
    const env = await serviceEnvironment(
      sandbox,
      [createTrip("Creates a trip with one or more legs for a traveller. Each new leg is Planned and gets its own ticket.")],
      desk(),
    );
    const { outcomes, state } = await env.run([
      {
        tool: "create_trip",
        arguments: {
          traveller: "Lea Moss",
          legs: [
            { origin: "Oslo", destination: "Bodø" },
            { origin: "Bodø", destination: "Oslo" },
          ],
        },
      },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true]);
    const legs = state.legs as Record<string, Record<string, unknown>>;
    expect(Object.keys(legs).sort()).toEqual(["TR100-1", "TR100-2", "TR101-1", "TR102-1", "TR102-2"]);
    expect(legs["TR102-2"]).toMatchObject({
      tripId: "TR102",
      status: "Planned",
      origin: "Bodø",
      destination: "Oslo",
      fare: { amount: 0, currency: "NOK" },
    });
    const tickets = state.tickets as Record<string, Record<string, unknown>>;
    expect(tickets["TR102-1-1"]).toMatchObject({ legId: "TR102-1", tripId: "TR102" });
    expect(tickets["TR102-2-1"]).toMatchObject({ legId: "TR102-2", tripId: "TR102" });
  });

  it("makes no records of an array the description does not call records of their own", async () => {
    const env = await serviceEnvironment(sandbox, [createTrip("Creates a trip for a traveller; legs lists the planned route.")], desk());
    const effects = env.rules.tools[0]?.service?.effects.map((r) => r.rule.kind) ?? [];
    expect(effects).not.toContain("insert");
  });
});
