// A bound on a money argument, as API references write it: "amount_money may not exceed
// amount_money - refunded_money of the ticket". The argument is compared by its amount; the
// amount_money of the limit is the record's own (a bound on an argument is never the argument
// itself); and verification checks the rule with a call whose amount breaks it, so that the rule
// is kept rather than taken out for accepting the valid call.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Rng } from "../../../kernel/rng.ts";
import { applyRules } from "../../../lib/contracts/domain-rules.ts";
import type { ServiceModel } from "../../../lib/contracts/tool-rules.ts";
import { brokenCalls, serviceCall } from "../../../lib/domain-model/service-arguments.ts";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const money = { type: "object", properties: { amount: { type: "integer" }, currency: { type: "string" } } };
const data = {
  tickets: {
    t_1: { id: "t_1", amount_money: { amount: 5000, currency: "EUR" }, refunded_money: { amount: 3000, currency: "EUR" } },
    t_2: { id: "t_2", amount_money: { amount: 2000, currency: "EUR" }, refunded_money: { amount: 0, currency: "EUR" } },
  },
};
const refund = toolSpec(
  "refund_ticket",
  { ticket_id: { type: "string" }, amount_money: money },
  ["ticket_id", "amount_money"],
  "Refunds part of a ticket. amount_money may not exceed amount_money - refunded_money of the ticket. Effects: the ticket's refunded_money grows by the amount.",
);

describe("a bound on a money argument", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("compares the argument's amount with what the record has left", async () => {
    const env = await serviceEnvironment(sandbox, [refund], data);
    const s = env.rules.tools[0]?.service as ServiceModel;
    expect(s.requires.map((r) => r.rule)).toContainEqual({
      kind: "compare",
      condition: {
        left: { kind: "parameter", name: "amount_money", path: ["amount"] },
        op: "<=",
        right: {
          kind: "arith",
          op: "-",
          left: { kind: "read", place: { hops: [], path: ["amount_money", "amount"] } },
          right: { kind: "read", place: { hops: [], path: ["refunded_money", "amount"] } },
        },
      },
    });
    const { outcomes } = await env.run([
      { tool: "refund_ticket", arguments: { ticket_id: "t_1", amount_money: { amount: 2500, currency: "EUR" } } },
      { tool: "refund_ticket", arguments: { ticket_id: "t_1", amount_money: { amount: 2000, currency: "EUR" } } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([false, true]);
  });

  it("is checked by a call whose amount breaks it", async () => {
    const env = await serviceEnvironment(sandbox, [refund], data);
    const model = applyRules(env.schema, env.rules).tools[0];
    if (!model) throw new Error("no tool");
    const input = {
      model,
      schema: env.schema,
      state: data,
      parameters: refund.parameters,
      clock: "2025-03-03T09:00:00Z",
      rng: Rng.forRun(1),
    };
    const valid = serviceCall(input);
    if (!valid) throw new Error("no valid call");
    const index = (model.service as ServiceModel).requires.findIndex((r) => r.rule.kind === "compare");
    const broken = brokenCalls(input, valid).find((b) => b.rule === index);
    const record = data.tickets[String(broken?.args.ticket_id) as "t_1" | "t_2"];
    const amount = (broken?.args.amount_money as { amount: number } | undefined)?.amount ?? 0;
    expect(amount).toBeGreaterThan(record.amount_money.amount - record.refunded_money.amount);
  });
});
