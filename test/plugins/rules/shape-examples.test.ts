// Quoted values after the values' shape ("as decimal strings ("2.50", "7")") show how a value is
// written, not the only values: a create that takes any such value must not be refused for another
// one, while a real list ("must be either 'a' or 'b'") still refuses the rest.
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

const orchard = () => ({
  surcharges: {
    s_1: { id: "s_1", label: "frost", rate: "2.50", band: "low" },
  },
});

const surcharge = toolSpec(
  "create_surcharge",
  {
    label: { type: "string", description: "Label of the surcharge." },
    rate: { type: "string", description: "Rate per crate." },
    flat: { type: "string", description: "Flat amount per crate." },
    band: { type: "string", description: "Band of the surcharge." },
  },
  ["label"],
  'Creates a Surcharge. Give exactly one of rate or flat, as decimal strings ("2.50", "7"). band must be either "low" or "high". Returns the Surcharge.',
);

describe("quoted values after a shape are examples", () => {
  it("takes a rate the examples do not list, and still refuses a band outside its list", async () => {
    const env = await serviceEnvironment(sandbox, [surcharge], orchard());
    const lists = env.rules.tools[0]?.service.requires.filter((r) => r.rule.kind === "parameter-in").map((r) => r.rule);
    expect(lists).toEqual([expect.objectContaining({ parameter: "band" })]);
    const { outcomes } = await env.run([
      { tool: "create_surcharge", arguments: { label: "hail", rate: "3.75" } },
      { tool: "create_surcharge", arguments: { label: "wind", rate: "1.00", band: "medium" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false]);
  });
});
