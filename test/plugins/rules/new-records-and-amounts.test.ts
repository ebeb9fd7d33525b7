// How new records are made and amounts compared, on small data of our own: one id counter every
// kind of record takes its numbers from (`next_id`), a first state said outright ("created with
// status pending") over a state merely named near "start", a "creates a X from … with every Y" that
// makes an X and no Y, and amounts written as decimal strings compared as the numbers they are.
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

const studio = () => ({
  members: {
    mem_700101: { id: "mem_700101", name: "Ines Alves" },
    mem_700104: { id: "mem_700104", name: "Tom Berg" },
  },
  tariffs: {
    tar_700102: { id: "tar_700102", label: "off-peak", price: "12.00" },
    tar_700103: { id: "tar_700103", label: "peak", price: "18.50" },
  },
  visits: {
    vis_700105: { id: "vis_700105", member_id: "mem_700101", status: "confirmed", deposit: "40.00", note: null },
    vis_700106: { id: "vis_700106", member_id: "mem_700104", status: "pending", deposit: "0.00", note: null },
    vis_700107: { id: "vis_700107", member_id: "mem_700104", status: "canceled", deposit: "0.00", note: null },
  },
  counters: { next_id: 700108 },
});

const bookVisit = toolSpec(
  "create_visit",
  {
    member_id: { type: "string", description: "Member id" },
    deposit: { type: "string", description: 'Deposit in USD, two decimals, e.g. "25.00"' },
    note: { type: "string", description: "Note" },
  },
  ["member_id", "deposit"],
  "Creates a Visit for a member and prices it with every tariff. The slot must start now or later; a member can have only one confirmed visit. " +
    'The visit is created with status pending. deposit may not exceed "500.00".',
);

describe("new records and amounts", () => {
  it("keys the new record from the one counter every kind takes its ids from, in its own prefix, and moves it on", async () => {
    const env = await serviceEnvironment(sandbox, [bookVisit], studio(), "Today is 2025-05-01.");
    const service = env.rules.tools[0]?.service as ServiceModel;
    expect(service.newKey).toMatchObject({ prefix: "vis_", counter: { root: { table: "counters" }, path: ["next_id"] } });
    // (mem_700104: mem_700101 holds a confirmed visit already, and "a member can have only one confirmed visit".)
    const { outcomes, state } = await env.run([{ tool: "create_visit", arguments: { member_id: "mem_700104", deposit: "25.00" } }]);
    expect(outcomes[0]?.ok).toBe(true);
    expect((state.visits as Record<string, unknown>).vis_700108).toMatchObject({ member_id: "mem_700104", status: "pending" });
    expect((state.counters as { next_id: number }).next_id).toBe(700109);
  });

  it("takes the first state said outright, and makes no record of what the new one is merely priced with", async () => {
    const env = await serviceEnvironment(sandbox, [bookVisit], studio(), "Today is 2025-05-01.");
    const service = env.rules.tools[0]?.service as ServiceModel;
    expect(service.fields?.status).toEqual({ kind: "constant", value: "pending" });
    expect(service.effects.filter((e) => e.rule.kind === "insert")).toEqual([]);
  });

  it("compares amounts written as decimal strings as numbers", async () => {
    const env = await serviceEnvironment(sandbox, [bookVisit], studio(), "Today is 2025-05-01.");
    const { outcomes } = await env.run([
      // "98.00" is less than "500.00", though it sorts after it as text.
      { tool: "create_visit", arguments: { member_id: "mem_700104", deposit: "98.00" } },
      { tool: "create_visit", arguments: { member_id: "mem_700104", deposit: "1200.00" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false]);
  });
});
