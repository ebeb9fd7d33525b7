// Records a change tool inserts into another table, on small data of our own: a key the data builds
// from the record it belongs to (`pm_2_rt1`: the payment's key, `_rt`, its returns counted plus one),
// the tool's record's list of such keys taking the new one, and the new record's times its own.
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

const ledger = () => ({
  payments: {
    pm_1: { id: "pm_1", amount: 50, returned: 20, return_ids: ["pm_1_rt1", "pm_1_rt2"], created_at: "2025-01-01T10:00:00Z" },
    pm_2: { id: "pm_2", amount: 80, returned: 0, return_ids: [], created_at: "2025-01-02T10:00:00Z" },
    pm_3: { id: "pm_3", amount: 30, returned: 30, return_ids: ["pm_3_rt1"], created_at: "2025-01-03T10:00:00Z" },
  },
  returns: {
    pm_1_rt1: { id: "pm_1_rt1", payment_id: "pm_1", amount: 10, note: "dent", created_at: "2025-01-04T10:00:00Z" },
    pm_1_rt2: { id: "pm_1_rt2", payment_id: "pm_1", amount: 10, note: "scratch", created_at: "2025-01-05T10:00:00Z" },
    pm_3_rt1: { id: "pm_3_rt1", payment_id: "pm_3", amount: 30, note: "whole", created_at: "2025-01-06T10:00:00Z" },
  },
});

const returnPayment = toolSpec(
  "return_payment",
  {
    payment_id: { type: "string", description: "Payment id" },
    amount: { type: "integer", description: "Amount" },
    note: { type: "string", description: "Why" },
  },
  ["payment_id", "amount", "note"],
  "Returns part of a payment. A Return {payment_id, amount, note, created_at} is stored; the payment's returned grows by the amount.",
);

describe("records a change tool inserts", () => {
  it("keys the new record as the data does, from its owner's key and count, and links it to the owner's list", async () => {
    const env = await serviceEnvironment(
      sandbox,
      [returnPayment],
      ledger(),
      "Today is 2025-02-01; the current time is 2025-02-01T12:00:00Z.",
    );
    const { outcomes, state } = await env.run([
      { tool: "return_payment", arguments: { payment_id: "pm_1", amount: 5, note: "late" } },
      { tool: "return_payment", arguments: { payment_id: "pm_2", amount: 8, note: "broken" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true]);
    const returns = state.returns as Record<string, Record<string, unknown>>;
    expect(returns.pm_1_rt3).toEqual({ id: "pm_1_rt3", payment_id: "pm_1", amount: 5, note: "late", created_at: "2025-02-01T12:00:00Z" });
    expect(returns.pm_2_rt1).toMatchObject({ id: "pm_2_rt1", payment_id: "pm_2", amount: 8 });
    const payments = state.payments as Record<string, Record<string, unknown>>;
    expect(payments.pm_1?.return_ids).toEqual(["pm_1_rt1", "pm_1_rt2", "pm_1_rt3"]);
    expect(payments.pm_2?.return_ids).toEqual(["pm_2_rt1"]);
  });

  it("copies into a new record what the data's records copy from the record they refer to: as it is, or as the call leaves it", async () => {
    const cards = () => ({
      cards: {
        gc_1: { id: "gc_1", number: "7001", balance: { amount: 30, currency: "USD" } },
        gc_2: { id: "gc_2", number: "7002", balance: { amount: 5, currency: "USD" } },
      },
      activities: [
        { id: "act_1", card_id: "gc_1", card_number: "7001", kind: "LOAD", balance_after: { amount: 50, currency: "USD" } },
        { id: "act_2", card_id: "gc_2", card_number: "7002", kind: "LOAD", balance_after: { amount: 5, currency: "USD" } },
        { id: "act_3", card_id: "gc_1", card_number: "7001", kind: "REDEEM", balance_after: { amount: 30, currency: "USD" } },
      ],
    });
    const load = toolSpec(
      "create_activity",
      {
        card_id: { type: "string", description: "Card id" },
        kind: { type: "string", description: "Kind", enum: ["LOAD"] },
        amount: { type: "integer", description: "Amount" },
      },
      ["card_id", "kind", "amount"],
      "Loads a card: adds amount to the card's balance. The activity is appended.",
    );
    const env = await serviceEnvironment(sandbox, [load], cards());
    const { outcomes, state } = await env.run([{ tool: "create_activity", arguments: { card_id: "gc_2", kind: "LOAD", amount: 10 } }]);
    expect(outcomes.map((o) => o.ok)).toEqual([true]);
    expect((state.cards as Record<string, Record<string, unknown>>).gc_2?.balance).toEqual({ amount: 15, currency: "USD" });
    expect((state.activities as Record<string, unknown>[]).at(-1)).toMatchObject({
      id: "act_4",
      card_id: "gc_2",
      card_number: "7002",
      balance_after: { amount: 15, currency: "USD" },
    });
  });
});
