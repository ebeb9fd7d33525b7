// A new record shaped as the data writes its values: a rate every record writes as decimal text
// ("12.50") keeps two places when the call gives "8", and a list some records hold empty (`[]`: no
// limit) is empty, not missing, when the optional parameter that sets it is left out.
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

const tolls = () => ({
  tolls: {
    t_1: { id: "t_1", bridge: "Old", rate: "12.50", lanes: [] },
    t_2: { id: "t_2", bridge: "New", rate: "3.00", lanes: ["l1", "l2"] },
  },
});

const create = toolSpec(
  "create_toll",
  {
    bridge: { type: "string", description: "Bridge name." },
    rate: { type: "string", description: "Rate per crossing." },
    lanes: { type: "array", items: { type: "string" }, description: "Lanes it applies to; omit for every lane." },
  },
  ["bridge", "rate"],
  "Create a Toll.",
);

describe("values written as the data writes them", () => {
  it("writes decimal text with the data's places and an omitted list empty", async () => {
    const env = await serviceEnvironment(sandbox, [create], tolls());
    const { outcomes, state } = await env.run([{ tool: "create_toll", arguments: { bridge: "East", rate: "8" } }]);
    expect(outcomes[0]?.ok).toBe(true);
    const made = Object.values(state.tolls as Record<string, { bridge: string; rate: string; lanes: unknown }>).find(
      (t) => t.bridge === "East",
    );
    expect(made?.rate).toBe("8.00");
    expect(made?.lanes).toEqual([]);
  });
});
