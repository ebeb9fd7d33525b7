// A service with a session: signing in makes the user the given credentials match the session's
// user, and refuses a call that matches nobody; a token that follows the session's login count
// (as the data shows it), an expiry an hour after the call, by the clock the policy gives.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DomainState } from "../../../lib/contracts/domain-state.ts";
import type { ServiceModel } from "../../../lib/contracts/tool-rules.ts";
import type { ToolSpec } from "../../../lib/contracts/tool-spec.ts";
import { inferTables } from "../../../lib/data-pack/tables.ts";
import { deriveRules } from "../../../plugins/rules/derive.ts";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const S = (description: string) => ({ type: "string", description });

function serviceOf(data: DomainState, spec: ToolSpec): ServiceModel {
  // The session is one record, as a folder's `session.json` holding one gives it.
  const tables = inferTables(data, { lists: {}, singles: ["session"] });
  return deriveRules("d", [spec], tables, data, null).tools[0]?.service as ServiceModel;
}

const app: DomainState = {
  accounts: {
    ana: { id: "ana", email: "ana@example.com", password: "pw-ana", plan: "free" },
    ben: { id: "ben", email: "ben@example.com", password: "pw-ben", plan: "pro" },
    cy: { id: "cy", email: "cy@example.com", password: "pw-cy", plan: "pro" },
  },
  session: { current: { account_id: "ben", expires_at: "2025-01-01T10:00:00Z", login_count: 3 } },
};

const login = (description: string) =>
  toolSpec("login", { email: S("Account email"), password: S("Account password") }, ["email", "password"], description);

describe("signing in to a session", () => {
  it("sets the session's account to the one whose email and password are given, and refuses when none is", () => {
    const s = serviceOf(app, login("Log in to the app."));
    const who = {
      kind: "match",
      table: "accounts",
      where: [
        { field: "email", value: { kind: "parameter", name: "email" } },
        { field: "password", value: { kind: "parameter", name: "password" } },
      ],
    };
    expect(s.effects.map((r) => r.rule)).toContainEqual({ kind: "set", place: { hops: [], path: ["account_id"] }, value: who });
    expect(s.requires.map((r) => r.rule)).toContainEqual({ kind: "compare", condition: { left: who, op: "given" } });
  });

  it("signs no one in on a call that also names something other than the credentials", () => {
    const s = serviceOf(
      app,
      toolSpec("change_plan", { email: S("Account email"), plan: S("New plan") }, ["email", "plan"], "Change the plan of an account."),
    );
    expect(JSON.stringify(s.effects)).not.toContain('"match"');
  });
});

describe("a session service, end to end", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  const data = () => ({
    accounts: {
      ana: { id: "ana", email: "ana@example.com", password: "pw-ana" },
      cy: { id: "cy", email: "cy@example.com", password: "pw-cy" },
    },
    session: { account_id: "ana", access_token: "TK000003", expires_at: "2025-03-01T08:00:00Z", login_count: 3 },
  });
  const policy = "- Today is 2025-03-01. The service clock reads 2025-03-01T10:15:00Z; every time the service writes uses it.";
  const tools = [
    login(
      "Log in. On success session.login_count is incremented by 1, access_token becomes the new login_count, " +
        "expires_at = current time + 3600 s. A wrong email or password is refused.",
    ),
  ];

  it("signs the matching account in, with a token that follows the count and an expiry an hour after the clock", async () => {
    const env = await serviceEnvironment(sandbox, tools, data(), policy);
    expect(env.rules.clock).toBe("2025-03-01T10:15:00Z");
    const { outcomes, state } = await env.run([
      { tool: "login", arguments: { email: "cy@example.com", password: "wrong" } },
      { tool: "login", arguments: { email: "cy@example.com", password: "pw-cy" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([false, true]);
    expect(state.session).toEqual({ account_id: "cy", access_token: "TK000004", expires_at: "2025-03-01T11:15:00Z", login_count: 4 });
  });
});
