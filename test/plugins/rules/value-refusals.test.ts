// What one value of a parameter's fixed list does to a call, on small data of our own: "perishable
// cannot be stored here" refuses that value, "other needs details" wants another parameter with it
// (of two parameters listing "other", the one the sentence names), and both rules survive
// verification because a case is built that breaks each.
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

const lockers = () => ({
  deposits: {
    dep_1: { id: "dep_1", kind: "parcel", details: null, handling: "none" },
    dep_2: { id: "dep_2", kind: "other", details: "a lamp", handling: "other" },
  },
});

const deposit = toolSpec(
  "create_deposit",
  {
    kind: { type: "string", enum: ["parcel", "luggage", "perishable", "other"], description: "What is left" },
    details: { type: "string", description: "What it is, in words" },
    handling: { type: "string", enum: ["none", "fragile", "other"], description: "How to handle it" },
  },
  ["kind"],
  "Creates a Deposit. kind is one of parcel, luggage, perishable, other (other needs details); perishable cannot be stored here. Returns the Deposit.",
);

describe("values that refuse or need another parameter", () => {
  it("refuses the value the description rules out, and wants the other parameter with the value that needs it", async () => {
    const env = await serviceEnvironment(sandbox, [deposit], lockers());
    const kinds = env.rules.tools[0]?.service.requires.map((r) => r.rule.kind);
    expect(kinds).toEqual(expect.arrayContaining(["parameter-in", "compare"]));
    const { outcomes } = await env.run([
      { tool: "create_deposit", arguments: { kind: "parcel" } },
      { tool: "create_deposit", arguments: { kind: "perishable" } },
      { tool: "create_deposit", arguments: { kind: "other" } },
      { tool: "create_deposit", arguments: { kind: "other", details: "a bike wheel" } },
      // `handling` lists "other" too, but the sentence speaks of kind: its "other" needs nothing.
      { tool: "create_deposit", arguments: { kind: "luggage", handling: "other" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, false, true, true]);
  });
});
