// A create tool that answers the record there already is ("If the account already has an alert for
// the same keyword and source, that alert is returned and nothing is charged") and charges a flat
// price for a new one ("costs an AlertFee of $0.25 charged to the account's balance (refused when
// the balance is lower)"), on a news-alert service.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const S = (description: string) => ({ type: "string", description });

const alertFee = { object: "Charge", type: "AlertFee", amount: "0.25000", settled: true };
const data = {
  counters: { next_id: 30 },
  accounts: {
    acc_10: { id: "acc_10", name: "Lark", balance: "5.00000" },
    acc_11: { id: "acc_11", name: "Wren", balance: "0.10000" },
  },
  alerts: {
    alr_20: {
      id: "alr_20",
      account_id: "acc_10",
      keyword: "tides",
      source: "wire",
      status: "idle",
      charges: [alertFee],
      created_at: "2025-01-01T00:00:00Z",
    },
    alr_21: {
      id: "alr_21",
      account_id: "acc_11",
      keyword: "storms",
      source: "blog",
      status: "firing",
      charges: [alertFee],
      created_at: "2025-01-02T00:00:00Z",
    },
  },
};

const tools = [
  toolSpec(
    "create_alert",
    {
      account_id: S("The account."),
      keyword: S("The word to watch."),
      source: { type: "string", enum: ["wire", "blog"], description: "Where." },
    },
    ["account_id", "keyword", "source"],
    "Creates an Alert for a keyword. If the account already has an alert for the same keyword and source, that alert is returned and nothing is charged. A new alert starts with status idle, and costs an AlertFee of $0.25 charged to the account's balance (refused when the balance is lower). Returns the Alert.",
  ),
];

describe("a record there already is, answered as it is; a new one charged a flat price", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("answers the account's alert for the same values, makes none and charges nothing", async () => {
    const env = await serviceEnvironment(sandbox, tools, data, "Today is 2025-02-01 and the time is 10:00 UTC.");
    const { outcomes, state } = await env.run([
      { tool: "create_alert", arguments: { account_id: "acc_10", keyword: "tides", source: "wire" } },
    ]);
    expect(outcomes[0]?.ok).toBe(true);
    expect(Object.keys(state.alerts as object)).toEqual(["alr_20", "alr_21"]);
    expect((state.accounts as Record<string, Record<string, unknown>>).acc_10?.balance).toBe("5.00000");
    expect(state.counters).toEqual({ next_id: 30 });
  });

  it("makes a new alert for other values, charges its price, and refuses it when the balance is lower", async () => {
    const env = await serviceEnvironment(sandbox, tools, data, "Today is 2025-02-01 and the time is 10:00 UTC.");
    const { outcomes, state } = await env.run([
      { tool: "create_alert", arguments: { account_id: "acc_10", keyword: "tides", source: "blog" } },
      { tool: "create_alert", arguments: { account_id: "acc_11", keyword: "tides", source: "wire" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false]);
    const accounts = state.accounts as Record<string, Record<string, unknown>>;
    expect(accounts.acc_10?.balance).toBe("4.75000");
    expect(accounts.acc_11?.balance).toBe("0.10000");
    // The price kept on the new alert as the data's alerts keep theirs.
    expect((state.alerts as Record<string, unknown>).alr_30).toMatchObject({
      account_id: "acc_10",
      keyword: "tides",
      source: "blog",
      charges: [alertFee],
    });
  });
});
