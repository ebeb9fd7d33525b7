// Money a call settles, recorded as an entry the description writes out and moved into balances, on
// small data of our own: "the held bond first covers what is still due, recorded as a transaction
// {…, amount = min(bond_held, amount_due)} (only if above 0) that adds to amount_paid; the rest of
// the bond held is refunded to the tenant's wallet_balance as a transaction {…} (only if above 0)
// and added to bond_returned". Each entry takes the next key from the data's counter, the second
// entry's amount is what the first left, and the tenant's wallet gets the refund.
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

const lettings = () => ({
  tenants: {
    ten_1: { id: "ten_1", name: "Ada", wallet_balance: 1000 },
    ten_2: { id: "ten_2", name: "Bo", wallet_balance: 0 },
  },
  leases: {
    lease_1: {
      id: "lease_1",
      tenant_id: "ten_1",
      status: "active",
      bond_held: 5000,
      amount_due: 1200,
      amount_paid: 300,
      bond_returned: 0,
      transactions: [{ id: "tx_7", kind: "bond", method: "card", amount: 5000 }],
    },
    lease_2: {
      id: "lease_2",
      tenant_id: "ten_2",
      status: "ended",
      bond_held: 0,
      amount_due: 0,
      amount_paid: 900,
      bond_returned: 2000,
      transactions: [
        { id: "tx_5", kind: "bond", method: "card", amount: 2000 },
        { id: "tx_6", kind: "refund", method: "wallet", amount: 2000 },
      ],
    },
  },
  counters: { next_transaction_id: 8 },
});

const end = toolSpec(
  "end_lease",
  { lease_id: { type: "string", description: "Lease id, e.g. lease_1" } },
  ["lease_id"],
  'End an active lease. The status becomes "ended". Bond settlement: the held bond first covers what is still due, recorded as a transaction {kind "capture", method "bond", amount = min(bond_held, amount_due)} (only if above 0) that adds to amount_paid; the rest of the bond held is refunded to the tenant\'s wallet_balance as a transaction {kind "refund", method "wallet"} (only if above 0) and added to bond_returned. New transaction ids take the next number from counters.next_transaction_id. Returns the lease.',
);

describe("an amount settled as an entry and moved to balances", () => {
  it("records the capture and the refund of what it left, and credits the tenant's wallet", async () => {
    const env = await serviceEnvironment(sandbox, [end], lettings());
    const { outcomes, state } = await env.run([{ tool: "end_lease", arguments: { lease_id: "lease_1" } }]);
    expect(outcomes[0]?.ok).toBe(true);
    const lease = (state.leases as Record<string, Record<string, unknown>>).lease_1 as Record<string, unknown>;
    const added = (lease.transactions as Record<string, unknown>[]).slice(1);
    expect(added.map((t) => [t.kind, t.method, t.amount])).toEqual([
      ["capture", "bond", 1200],
      ["refund", "wallet", 3800],
    ]);
    expect(lease.amount_paid).toBe(1500);
    expect(lease.bond_returned).toBe(3800);
    expect((state.tenants as Record<string, Record<string, unknown>>).ten_1?.wallet_balance).toBe(4800);
  });
});
