// "a canceled OUTGOING payout returns its amount to cash and its PAYOUT entry becomes void": the
// effects hold for records of that kind (a value of a fixed-list field other than the status) only,
// and an entry of a kind that refers to the record takes a state the data may not show yet.
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

const desk = () => ({
  wallets: { w_1: { id: "w_1", owner: "Tove", cash: "70.00" } },
  payouts: {
    p_1: { id: "p_1", wallet_id: "w_1", direction: "OUTGOING", status: "QUEUED", amount: "30.00" },
    p_2: { id: "p_2", wallet_id: "w_1", direction: "INCOMING", status: "QUEUED", amount: "20.00" },
    p_3: { id: "p_3", wallet_id: "w_1", direction: "OUTGOING", status: "SENT", amount: "5.00" },
  },
  entries: {
    e_1: { id: "e_1", wallet_id: "w_1", kind: "PAYOUT", payout_id: "p_1", status: "booked" },
    e_2: { id: "e_2", wallet_id: "w_1", kind: "FEE", payout_id: "p_1", status: "booked" },
    e_3: { id: "e_3", wallet_id: "w_1", kind: "PAYOUT", payout_id: "p_3", status: "booked" },
  },
});

const cancel = toolSpec(
  "cancel_payout",
  {
    wallet_id: { type: "string", description: "The wallet's id." },
    payout_id: { type: "string", description: "The payout's id." },
  },
  ["wallet_id", "payout_id"],
  "Cancels a payout that is still QUEUED; a canceled OUTGOING payout returns its amount to cash and its PAYOUT entry becomes void.",
);

describe("effects for records of one kind", () => {
  it("credit the wallet and void the entry for an outgoing payout only", async () => {
    const env = await serviceEnvironment(sandbox, [cancel], desk());
    const out = await env.run([{ tool: "cancel_payout", arguments: { wallet_id: "w_1", payout_id: "p_1" } }]);
    expect(out.outcomes.map((o) => o.ok)).toEqual([true]);
    expect((out.state.wallets as Record<string, { cash: string }>).w_1?.cash).toBe("100.00");
    const entries = out.state.entries as Record<string, { status: string }>;
    expect([entries.e_1?.status, entries.e_2?.status, entries.e_3?.status]).toEqual(["void", "booked", "booked"]);
    const incoming = await env.run([{ tool: "cancel_payout", arguments: { wallet_id: "w_1", payout_id: "p_2" } }]);
    expect((incoming.state.wallets as Record<string, { cash: string }>).w_1?.cash).toBe("70.00");
  });
});
