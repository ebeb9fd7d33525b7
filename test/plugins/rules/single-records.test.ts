// One record of a kind per record it refers to: "A loan can have one return request" (a second
// request for the same loan is refused) and "a member can have only one active hold" (a new hold for
// a member who holds one active is refused; a finished one does not count), on a tool library.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const S = (description: string) => ({ type: "string", description });

const data = {
  counters: { next_id: 60 },
  members: { mbr_10: { id: "mbr_10", name: "Vera" }, mbr_11: { id: "mbr_11", name: "Juno" } },
  loans: {
    ln_20: { id: "ln_20", member_id: "mbr_10", item: "drill", status: "out" },
    ln_21: { id: "ln_21", member_id: "mbr_11", item: "saw", status: "out" },
  },
  returns: { ret_30: { id: "ret_30", loan_id: "ln_21", status: "pending", created_at: "2025-05-01T09:00:00Z" } },
  holds: {
    hld_40: { id: "hld_40", member_id: "mbr_10", item: "ladder", status: "active", created_at: "2025-05-01T09:00:00Z" },
    hld_41: { id: "hld_41", member_id: "mbr_11", item: "sander", status: "finished", created_at: "2025-04-01T09:00:00Z" },
  },
};

const tools = [
  toolSpec(
    "request_return",
    { loan_id: S("The loan.") },
    ["loan_id"],
    'Asks for a loan to be taken back. Creates a Return ("ret_…") with status pending. A loan can have one return request. Returns the Return.',
  ),
  toolSpec(
    "create_hold",
    { member_id: S("The member."), item: S("The item to hold.") },
    ["member_id", "item"],
    "Creates a Hold on an item for a member, with status active; a member can have only one active hold. Returns the Hold.",
  ),
];

describe("one record of a kind per record it refers to", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("refuses a second request for the tool's own record", async () => {
    const env = await serviceEnvironment(sandbox, tools, data, "Today is 2025-05-02 and the time is 10:00 UTC.");
    const { outcomes, state } = await env.run([
      { tool: "request_return", arguments: { loan_id: "ln_21" } },
      { tool: "request_return", arguments: { loan_id: "ln_20" } },
      { tool: "request_return", arguments: { loan_id: "ln_20" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([false, true, false]);
    expect(Object.keys(state.returns as object)).toHaveLength(2);
  });

  it("refuses a new record for the one a parameter names while it has one in the state said", async () => {
    const env = await serviceEnvironment(sandbox, tools, data, "Today is 2025-05-02 and the time is 10:00 UTC.");
    const { outcomes } = await env.run([
      { tool: "create_hold", arguments: { member_id: "mbr_10", item: "rake" } },
      { tool: "create_hold", arguments: { member_id: "mbr_11", item: "rake" } },
      { tool: "create_hold", arguments: { member_id: "mbr_11", item: "hoe" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([false, true, false]);
  });
});
