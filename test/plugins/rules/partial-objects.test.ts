// An object parameter that says "omitted fields keep their value" patches the record's struct: the
// parts given change, the others stay, and the record's last-change stamp is written whichever part
// the call gives (not only when the first part is given).
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

const crew = () => ({
  rowers: {
    rw_1: { id: "rw_1", boat: "Heron", seat: { side: "bow", bench: 2, oar: "long" }, updated: "2025-01-01T00:00:00Z" },
    rw_2: { id: "rw_2", boat: "Heron", seat: { side: "stroke", bench: 5, oar: "short" }, updated: "2025-01-02T00:00:00Z" },
  },
});

const reseat = toolSpec(
  "update_rower",
  {
    rower_id: { type: "string", description: "Rower id." },
    seat: {
      type: "object",
      description: "Fields to change; omitted fields keep their value.",
      properties: { side: { type: "string" }, bench: { type: "integer" }, oar: { type: "string" } },
    },
  },
  ["rower_id", "seat"],
  "Update a Rower's seat.",
);

describe("a partial object parameter", () => {
  it("changes only the parts it gives and stamps the change", async () => {
    const env = await serviceEnvironment(sandbox, [reseat], crew());
    const { outcomes, state } = await env.run([{ tool: "update_rower", arguments: { rower_id: "rw_1", seat: { oar: "short" } } }]);
    expect(outcomes[0]?.ok).toBe(true);
    const rower = (state.rowers as Record<string, { seat: unknown; updated: string }>).rw_1;
    expect(rower?.seat).toEqual({ side: "bow", bench: 2, oar: "short" });
    expect(rower?.updated).not.toBe("2025-01-01T00:00:00Z");
  });
});
