// An optional amount whose description says a call without it takes "everything not yet used": the
// call then moves the field by what is left of the total it counts toward (`amount_used` toward
// `amount`), and a record it makes holds that amount too.
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

const club = () => ({
  vouchers: {
    vo_1: { id: "vo_1", amount: 5000, amount_used: 1000 },
    vo_2: { id: "vo_2", amount: 2000, amount_used: 0 },
  },
  redemptions: { rd_1: { id: "rd_1", voucher: "vo_1", amount: 1000 } },
});

const redeem = (amountText: string) =>
  toolSpec(
    "create_redemption",
    {
      voucher: { type: "string", description: 'The voucher id, e.g. "vo_1".' },
      amount: { type: "integer", description: amountText },
    },
    ["voucher"],
    "Redeems part of a voucher. The voucher's amount_used grows.",
  );

describe("an amount that defaults to what is left", () => {
  it("moves by what is left, and records it, when the call gives no amount", async () => {
    const env = await serviceEnvironment(sandbox, [redeem("Amount to redeem in cents; default is everything not yet used.")], club());
    const { outcomes, state } = await env.run([
      { tool: "create_redemption", arguments: { voucher: "vo_1" } },
      { tool: "create_redemption", arguments: { voucher: "vo_2", amount: 500 } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true]);
    const vouchers = state.vouchers as Record<string, { amount_used: number }>;
    expect([vouchers.vo_1?.amount_used, vouchers.vo_2?.amount_used]).toEqual([5000, 500]);
    const made = Object.values(state.redemptions as Record<string, { voucher: string; amount: number }>).filter(
      (r) => r.voucher !== "vo_1" || r.amount !== 1000,
    );
    expect(made.map((r) => [r.voucher, r.amount])).toEqual([
      ["vo_1", 4000],
      ["vo_2", 500],
    ]);
  });

  it("moves nothing when the description states no default", async () => {
    const env = await serviceEnvironment(sandbox, [redeem("Amount to redeem in cents.")], club());
    const { state } = await env.run([{ tool: "create_redemption", arguments: { voucher: "vo_1" } }]);
    expect((state.vouchers as Record<string, { amount_used: number }>).vo_1?.amount_used).toBe(1000);
  });
});
