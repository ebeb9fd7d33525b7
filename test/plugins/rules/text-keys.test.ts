// A new record keyed from a counter the data keeps as a number (`next_kite_id: 501`), in a table
// whose records write their keys as text ("499"): the new record's key is text too, as theirs are.
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

const hangar = () => ({
  kites: {
    "499": { id: "499", colour: "red" },
    "500": { id: "500", colour: "blue" },
  },
  counters: { next_kite_id: 501 },
});

const make = toolSpec("create_kite", { colour: { type: "string", description: "Colour." } }, ["colour"], "Create a Kite.");

describe("text keys from a number counter", () => {
  it("writes the new key as text, as the data's keys are", async () => {
    const env = await serviceEnvironment(sandbox, [make], hangar());
    const { outcomes, state } = await env.run([{ tool: "create_kite", arguments: { colour: "green" } }]);
    expect(outcomes[0]?.ok).toBe(true);
    expect((state.kites as Record<string, { id: unknown }>)["501"]?.id).toBe("501");
    expect((state.counters as { next_kite_id: number }).next_kite_id).toBe(502);
  });
});
