// Holds an open record keeps, given back when it is called off: the tool that places a bid says
// "open buy bids hold spendable (units x cap/trigger price) and open sell bids reduce units_free";
// the tool that withdraws one says only that "the hold is released". Placing a bid takes the hold;
// withdrawing a buy bid gives
// its grower back the unfilled units times its price; withdrawing a sell bid frees its units on
// the plot of the same grower and crop.
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

const bid = (id: string, fields: Record<string, unknown>) => ({
  id,
  grower_id: "g_1",
  crop_id: "c_rye",
  side: "buy",
  units: "10",
  filled_units: "0",
  cap_price: null,
  trigger_price: null,
  status: "open",
  ...fields,
});

const exchange = () => ({
  growers: {
    g_1: { id: "g_1", name: "Ilse Varga", credits: "500.00", spendable: "420.00" },
    g_2: { id: "g_2", name: "Bo Lind", credits: "90.00", spendable: "90.00" },
  },
  crops: {
    c_rye: { id: "c_rye", name: "Winter rye" },
    c_oat: { id: "c_oat", name: "Naked oat" },
  },
  plots: {
    p_1: { id: "p_1", grower_id: "g_1", crop_id: "c_rye", units: "30", units_free: "24" },
    p_2: { id: "p_2", grower_id: "g_1", crop_id: "c_oat", units: "12", units_free: "12" },
    p_3: { id: "p_3", grower_id: "g_2", crop_id: "c_rye", units: "8", units_free: "8" },
  },
  bids: {
    b_1: bid("b_1", { units: "10", filled_units: "4", cap_price: "2.50", status: "partly_filled" }),
    b_2: bid("b_2", { units: "20", trigger_price: "3.00" }),
    b_3: bid("b_3", { side: "sell", units: "6" }),
    b_4: bid("b_4", { side: "sell", grower_id: "g_2", units: "8", filled_units: "8", cap_price: "1.10", status: "filled" }),
    b_5: bid("b_5", { status: "canceled", cap_price: "1.00" }),
  },
});

const place = toolSpec(
  "place_bid",
  {
    grower_id: { type: "string" },
    crop_id: { type: "string" },
    side: { type: "string", enum: ["buy", "sell"] },
    units: { type: "string" },
    cap_price: { type: "string" },
  },
  ["grower_id", "crop_id", "side", "units"],
  "Places a bid on the exchange. Open buy bids hold spendable (units x cap/trigger price) and open sell bids reduce units_free.",
);
const withdraw = toolSpec(
  "cancel_bid",
  { grower_id: { type: "string" }, bid_id: { type: "string" } },
  ["grower_id", "bid_id"],
  "Cancels a bid that is open or partly_filled; filled and canceled bids cannot be canceled. Units already filled stay filled; the unfilled remainder's spendable hold or units commitment is released.",
);

describe("holds released by the call that cancels", () => {
  it("gives back the unfilled remainder at the bid's own price, on the record the hold is on", async () => {
    const env = await serviceEnvironment(sandbox, [place, withdraw], exchange());
    const { outcomes, state } = await env.run([
      { tool: "cancel_bid", arguments: { grower_id: "g_1", bid_id: "b_1" } },
      { tool: "cancel_bid", arguments: { grower_id: "g_1", bid_id: "b_2" } },
      { tool: "cancel_bid", arguments: { grower_id: "g_1", bid_id: "b_3" } },
    ]);
    expect(outcomes.map((o) => (o.ok ? "ok" : JSON.stringify(o.error)))).toEqual(["ok", "ok", "ok"]);
    const growers = state.growers as Record<string, { credits: string; spendable: string }>;
    // 6 units x 2.50, then 20 units x 3.00 (no cap: the trigger price); credits untouched.
    expect(growers.g_1).toMatchObject({ credits: "500.00", spendable: "495.00" });
    expect(growers.g_2?.spendable).toBe("90.00");
    const plots = state.plots as Record<string, { units_free: string }>;
    expect([plots.p_1?.units_free, plots.p_2?.units_free, plots.p_3?.units_free]).toEqual(["30", "12", "8"]);
    const bids = state.bids as Record<string, { status: string }>;
    expect([bids.b_1?.status, bids.b_2?.status, bids.b_3?.status]).toEqual(["canceled", "canceled", "canceled"]);
  });

  it("takes the hold when a bid is placed, from what the call gives", async () => {
    const env = await serviceEnvironment(sandbox, [place, withdraw], exchange());
    const { outcomes, state } = await env.run([
      { tool: "place_bid", arguments: { grower_id: "g_1", crop_id: "c_rye", side: "buy", units: "4", cap_price: "2.25" } },
      { tool: "place_bid", arguments: { grower_id: "g_1", crop_id: "c_rye", side: "sell", units: "5" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true]);
    expect((state.growers as Record<string, { spendable: string }>).g_1?.spendable).toBe("411.00");
    expect((state.plots as Record<string, { units_free: string }>).p_1?.units_free).toBe("19");
  });

  it("releases nothing the words do not say is held", async () => {
    const quiet = { ...withdraw, description: "Cancels a bid that is open or partly_filled; filled and canceled bids cannot be canceled." };
    const env = await serviceEnvironment(sandbox, [place, quiet], exchange());
    const { outcomes, state } = await env.run([{ tool: "cancel_bid", arguments: { grower_id: "g_1", bid_id: "b_1" } }]);
    expect(outcomes.map((o) => o.ok)).toEqual([true]);
    expect((state.growers as Record<string, { spendable: string }>).g_1?.spendable).toBe("420.00");
  });
});
