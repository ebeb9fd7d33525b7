// The facts a read-only task's answer must state: which values of the reads count, and when a text states them.
import { describe, expect, it } from "vitest";
import type { JsonValue } from "../../../kernel/canonical-json.ts";
import { answerFacts, salientValues, statesValue } from "../../../lib/episodes/judge/facts.ts";

describe("answer facts", () => {
  it("prefers what the request names, then statuses and amounts; never what the user gave, nor bookkeeping", () => {
    const result = {
      account_id: "acc_1",
      owner: "Ada Lovelace",
      created_at: "2025-01-01T00:00:00Z",
      balance: 1520.5,
      status: "open",
    };
    const facts = salientValues(result, ["get_account_balance"], new Set(["acc_1"]));
    expect(facts.map((f) => f.path)).toEqual(["balance", "status", "owner"]);
  });

  it("takes the last read and every earlier read that answers, skipping the list read only to find the next record", () => {
    const calls = [
      { tool: "get_account_balance", arguments: { account_id: "acc_1" } },
      { tool: "list_transactions", arguments: { account_id: "acc_1" } },
      { tool: "get_transaction", arguments: { transaction_id: "tra_9" } },
    ];
    const results: JsonValue[] = [
      { account_id: "acc_1", balance: 1520.5 },
      { transactions: [{ transaction_id: "tra_9", amount: 12 }] },
      { transaction_id: "tra_9", amount: 12, memo: "rent" },
    ];
    const facts = answerFacts({ gold_calls: calls, intents: ["balance", "list", "one transaction"] }, results);
    expect(facts).toEqual([
      { call: 2, path: "amount", value: 12 },
      { call: 2, path: "memo", value: "rent" },
      { call: 0, path: "balance", value: 1520.5 },
    ]);
    expect(answerFacts({ gold_calls: calls.slice(2), intents: [] }, [{ transaction_id: "tra_9" }])).toEqual([]);
  });

  it("a number is stated in any usual spelling, text case-insensitively, and a near number is not the number", () => {
    expect(statesValue("Your balance is $1,520.50.", 1520.5)).toBe(true);
    expect(statesValue("It holds 42.00 units", 42)).toBe(true);
    expect(statesValue("It holds 420 units", 42)).toBe(false);
    expect(statesValue("It holds 4.2 units", 42)).toBe(false);
    expect(statesValue("The order is PENDING", "pending")).toBe(true);
    expect(statesValue("You sit in 1A.", "1A")).toBe(true);
    expect(statesValue("You sit in 11A.", "1A")).toBe(false);
    expect(statesValue("total 99", "99.00")).toBe(true);
  });
});
