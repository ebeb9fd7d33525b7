// A key parameter whose record the tool's description qualifies with a state ("pays out through a
// VERIFIED card"): a call naming a record of that table in another state is refused.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Rng } from "../../../kernel/rng.ts";
import { applyRules } from "../../../lib/contracts/domain-rules.ts";
import { serviceCall } from "../../../lib/domain-model/service-arguments.ts";
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

const club = () => ({
  members: { m_1: { id: "m_1", name: "Ines" } },
  cards: {
    cd_1: { id: "cd_1", member_id: "m_1", status: "VERIFIED", last4: "4242" },
    cd_2: { id: "cd_2", member_id: "m_1", status: "PENDING", last4: "1881" },
    cd_3: { id: "cd_3", member_id: "m_1", status: "REVOKED", last4: "0005" },
  },
  payouts: {
    po_1: { id: "po_1", member_id: "m_1", card_id: "cd_1", amount: 30, created_at: "2025-05-01T09:00:00Z" },
  },
});

const payout = toolSpec(
  "create_payout",
  {
    member_id: { type: "string", description: "The member's id." },
    card_id: { type: "string", description: "Id of the member's card." },
    amount: { type: "number", description: "Amount to pay out." },
  },
  ["member_id", "card_id", "amount"],
  "Pays a member out through a VERIFIED card of theirs.",
);

describe("a reference the text qualifies with a state", () => {
  it("accepts only a record in that state", async () => {
    const env = await serviceEnvironment(sandbox, [payout], club());
    const { outcomes, state } = await env.run([
      { tool: "create_payout", arguments: { member_id: "m_1", card_id: "cd_2", amount: 10 } },
      { tool: "create_payout", arguments: { member_id: "m_1", card_id: "cd_1", amount: 10 } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([false, true]);
    expect(Object.keys(state.payouts as object)).toHaveLength(2);
  });

  it("gives the valid call verification builds a record in that state", async () => {
    const env = await serviceEnvironment(sandbox, [payout], club());
    const model = applyRules(env.schema, env.rules).tools[0];
    if (!model) throw new Error("no tool");
    const input = {
      model,
      schema: env.schema,
      state: club(),
      parameters: payout.parameters,
      clock: "2025-05-02T09:00:00Z",
      rng: Rng.forRun(1),
    };
    for (const attempt of [0, 1, 2]) expect(serviceCall(input, attempt)?.args.card_id).toBe("cd_1");
  });
});
