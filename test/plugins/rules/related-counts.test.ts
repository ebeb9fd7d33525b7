// Numbers on other records a change moves: "each flavour's stock level amount is decremented by
// the sale's units of it" (the records a list of the sale names, each by its own element's amount,
// numbers the data writes as text kept as text) and "if the sale's patron has a reward card, it
// earns stamps: 3 stamps per whole dollar of total_money, added to stamps and lifetime_stamps" (the
// record that points back at the patron the sale names; none, nothing moves).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const data = {
  patrons: {
    pat_1: { id: "pat_1", name: "Ana" },
    pat_2: { id: "pat_2", name: "Bo" },
    pat_3: { id: "pat_3", name: "Cy" },
  },
  stock_levels: {
    fl_van: { flavour_id: "fl_van", amount: "12", counted_at: "2025-01-01T09:00:00Z" },
    fl_cho: { flavour_id: "fl_cho", amount: "5", counted_at: "2025-01-01T09:00:00Z" },
    fl_pis: { flavour_id: "fl_pis", amount: "7", counted_at: "2025-01-01T09:00:00Z" },
  },
  reward_cards: {
    rc_1: { id: "rc_1", patron_id: "pat_1", stamps: 10, lifetime_stamps: 40 },
    rc_2: { id: "rc_2", patron_id: "pat_2", stamps: 0, lifetime_stamps: 3 },
  },
  sales: {
    s_1: {
      id: "s_1",
      patron_id: "pat_1",
      status: "OPEN",
      lines: [
        { flavour_id: "fl_van", units: "2" },
        { flavour_id: "fl_cho", units: "1" },
      ],
      total_money: { amount: 1250, currency: "USD" },
    },
    s_2: {
      id: "s_2",
      patron_id: "pat_3",
      status: "OPEN",
      lines: [{ flavour_id: "fl_pis", units: "3" }],
      total_money: { amount: 900, currency: "USD" },
    },
    s_3: {
      id: "s_3",
      patron_id: "pat_2",
      status: "CLOSED",
      lines: [{ flavour_id: "fl_van", units: "1" }],
      total_money: { amount: 400, currency: "USD" },
    },
  },
};

const close = toolSpec(
  "close_sale",
  { sale_id: { type: "string" } },
  ["sale_id"],
  "Closes an OPEN sale. Effects: each flavour's stock level amount is decremented by the sale's units of it (counted_at set to now); if the sale's patron has a reward card, it earns stamps per the shop's rule (3 stamps per whole dollar of total_money), added to stamps and lifetime_stamps; status becomes CLOSED.",
);

describe("numbers on other records a change moves", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("takes each line's units off the stock level it names, and credits the patron's card by whole dollars", async () => {
    const env = await serviceEnvironment(sandbox, [close], data);
    const { outcomes, state } = await env.run([{ tool: "close_sale", arguments: { sale_id: "s_1" } }]);
    expect(outcomes.map((o) => o.ok)).toEqual([true]);
    const levels = state.stock_levels as Record<string, { amount: unknown; counted_at: string }>;
    expect(levels.fl_van?.amount).toBe("10");
    expect(levels.fl_cho?.amount).toBe("4");
    expect(levels.fl_van?.counted_at).not.toBe("2025-01-01T09:00:00Z");
    expect(levels.fl_pis).toEqual(data.stock_levels.fl_pis);
    expect(state.reward_cards).toEqual({
      rc_1: { id: "rc_1", patron_id: "pat_1", stamps: 46, lifetime_stamps: 76 },
      rc_2: data.reward_cards.rc_2,
    });
  });

  it("moves no card when the patron holds none", async () => {
    const env = await serviceEnvironment(sandbox, [close], data);
    const { outcomes, state } = await env.run([{ tool: "close_sale", arguments: { sale_id: "s_2" } }]);
    expect(outcomes.map((o) => o.ok)).toEqual([true]);
    expect((state.stock_levels as Record<string, { amount: unknown }>).fl_pis?.amount).toBe("4");
    expect(state.reward_cards).toEqual(data.reward_cards);
  });
});
