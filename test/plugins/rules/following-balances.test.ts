// Numbers that follow another of their record's: a total the data keeps (`worth` is `tokens` +
// `stake` in every member), a free part a name qualifies (`tokens_spendable`), and a number the
// policy defines from another ("Voting weight: tokens minus tokens pledged to open motions"). A
// gift that moves tokens moves each of them by as much, and nothing else.
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

const member = (id: string, tokens: number, stake: number, pledged: number, worth = tokens + stake) => ({
  id,
  tokens: tokens.toFixed(2),
  tokens_spendable: (tokens - pledged).toFixed(2),
  stake: stake.toFixed(2),
  worth: worth.toFixed(2),
  voting_weight: (tokens - pledged).toFixed(2),
});

const coop = (skewed = false) => ({
  members: {
    m_1: member("m_1", 120, 40, 20),
    m_2: member("m_2", 15.5, 0, 0),
    m_3: member("m_3", 300, 210.25, 0, skewed ? 1 : 510.25),
    m_4: member("m_4", 0, 75, 0),
  },
  gifts: {
    gf_1: { id: "gf_1", from_member: "m_3", to_member: "m_4", amount: "2.00", created_at: "2025-03-01T10:00:00Z" },
  },
});

const gift = toolSpec(
  "create_gift",
  {
    from_member: { type: "string", description: "Id of the member who gives." },
    to_member: { type: "string", description: "Id of the member who receives." },
    amount: { type: "string", description: "Tokens as a decimal string, e.g. '5.00'." },
  },
  ["from_member", "to_member", "amount"],
  "Gives tokens from one member to another at once: from_member's tokens fall and to_member's tokens rise by amount.",
);
const policy = "# Co-op\n\n- Voting weight: tokens minus tokens pledged to open motions.\n";

type Member = ReturnType<typeof member>;

describe("numbers that follow a number the call moves", () => {
  it("move with it: a kept total, a free part, a number defined from it", async () => {
    const env = await serviceEnvironment(sandbox, [gift], coop(), policy);
    const { outcomes, state } = await env.run([
      { tool: "create_gift", arguments: { from_member: "m_1", to_member: "m_2", amount: "30.00" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true]);
    const members = state.members as Record<string, Member>;
    expect(members.m_1).toEqual({ ...member("m_1", 90, 40, 20) });
    expect(members.m_2).toEqual({ ...member("m_2", 45.5, 0, 0) });
  });

  it("leave a total the data does not keep in every record, and a number no words define", async () => {
    const env = await serviceEnvironment(sandbox, [gift], coop(true));
    const { state } = await env.run([{ tool: "create_gift", arguments: { from_member: "m_1", to_member: "m_2", amount: "30.00" } }]);
    const m1 = (state.members as Record<string, Member>).m_1;
    expect(m1).toMatchObject({ tokens: "90.00", tokens_spendable: "70.00", worth: "160.00", voting_weight: "100.00", stake: "40.00" });
  });
});
