// Records that refer to the tool's record and keep the call from going through: "refused if any
// bin at the depot has a non-zero stored or reserved count" (a sum over the records that refer to
// it) and "if the depot is the pickup or dropoff of a run that is planned or rolling" (a count of
// them in those states). A depot with none of either closes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const data = {
  depots: {
    d_a: { id: "d_a", name: "Harbour", open: true },
    d_b: { id: "d_b", name: "Ridge", open: true },
    d_c: { id: "d_c", name: "Quarry", open: true },
    d_d: { id: "d_d", name: "Mill", open: true },
  },
  bins: {
    b_1: { id: "b_1", depot_id: "d_a", stored: 3, reserved: 0 },
    b_2: { id: "b_2", depot_id: "d_b", stored: 0, reserved: 0 },
    b_3: { id: "b_3", depot_id: "d_c", stored: 0, reserved: 0 },
    b_4: { id: "b_4", depot_id: "d_d", stored: 0, reserved: 2 },
  },
  runs: {
    r_1: { id: "r_1", pickup_depot_id: "d_a", dropoff_depot_id: "d_c", status: "rolling" },
    r_2: { id: "r_2", pickup_depot_id: "d_b", dropoff_depot_id: "d_a", status: "done" },
    r_3: { id: "r_3", pickup_depot_id: "d_a", dropoff_depot_id: "d_c", status: "planned" },
  },
};

const close = toolSpec(
  "close_depot",
  { depot_id: { type: "string" } },
  ["depot_id"],
  "Closes a depot (sets open to false). Refused if any bin at the depot has a non-zero stored or reserved count, or if the depot is the pickup or dropoff of a run that is planned or rolling. Returns the depot.",
);

describe("records that refer to the tool's record and block the call", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("closes a depot nothing refers to in a blocking way, refuses the others", async () => {
    const env = await serviceEnvironment(sandbox, [close], data);
    const calls = ["d_b", "d_a", "d_c", "d_d"].map((id) => ({ tool: "close_depot", arguments: { depot_id: id } }));
    const { outcomes, state } = await env.run(calls);
    // d_b: its run is done and its bin is empty. d_a: stock and open runs. d_c: the dropoff of a rolling run. d_d: units reserved.
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, false, false]);
    const depots = state.depots as Record<string, { open: boolean }>;
    expect(depots.d_b?.open).toBe(false);
    expect([depots.d_a?.open, depots.d_c?.open, depots.d_d?.open]).toEqual([true, true, true]);
  });
});
