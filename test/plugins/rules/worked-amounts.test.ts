// An amount's unit shown by a worked example (""500" adds $5.00 to the balance": cents, as text),
// and its bounds said as a refusal in that unit ("below 100 ($1.00) or above 50000 ($500.00)"), on
// a transit card service.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const data = {
  riders: {
    rdr_1: { id: "rdr_1", name: "Maud", balance: "3.25000", auto_reload: null, updated_at: "2025-04-01T08:00:00Z" },
    rdr_2: { id: "rdr_2", name: "Pim", balance: "0.00000", auto_reload: "1000", updated_at: "2025-04-01T08:00:00Z" },
  },
};

const tools = [
  toolSpec(
    "load_card",
    {
      rider_id: { type: "string", description: "The rider." },
      amount: { type: "string", description: 'Amount in cents as a string of digits, e.g. "500" for $5.00.', pattern: "^[0-9]+$" },
    },
    ["rider_id", "amount"],
    'Loads a rider\'s transit card. amount is in cents, written as a string of digits: "500" adds $5.00 to the balance. Refused when the amount is below 100 ($1.00) or above 50000 ($500.00) per request. Returns the Rider.',
  ),
];

describe("an amount scaled as its worked example shows", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("adds the amount, in dollars, to the balance the example names, not to a field of the parameter's name", async () => {
    const env = await serviceEnvironment(sandbox, tools, data, "Today is 2025-04-02 and the time is 09:00 UTC.");
    const { outcomes, state } = await env.run([{ tool: "load_card", arguments: { rider_id: "rdr_1", amount: "2000" } }]);
    expect(outcomes[0]?.ok).toBe(true);
    expect((state.riders as Record<string, Record<string, unknown>>).rdr_1).toMatchObject({ balance: "23.25000", auto_reload: null });
  });

  it("refuses an amount outside the bounds, in the parameter's own unit", async () => {
    const env = await serviceEnvironment(sandbox, tools, data, "Today is 2025-04-02 and the time is 09:00 UTC.");
    const { outcomes, state } = await env.run([
      { tool: "load_card", arguments: { rider_id: "rdr_2", amount: "99" } },
      { tool: "load_card", arguments: { rider_id: "rdr_2", amount: "50001" } },
      { tool: "load_card", arguments: { rider_id: "rdr_2", amount: "100" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([false, false, true]);
    expect((state.riders as Record<string, Record<string, unknown>>).rdr_2?.balance).toBe("1.00000");
  });
});
