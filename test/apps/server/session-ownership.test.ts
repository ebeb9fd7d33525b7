// A session belongs to whoever opened it. Another client that knows (or picks) its episode id can
// neither read, step, close nor replace it: over HTTP it lacks the session secret the reset issued;
// over WebSocket it is another socket; over MCP and NeMo Gym's routes the session id and the cookie
// are the secret itself, never the episode id.
import { describe, expect, it } from "vitest";
import type { Task } from "../../../lib/contracts/task.ts";
import { connect, getJson, type Json, post, type Served, serveExampleRun } from "../../support/server.ts";

let served: Served;
let task: Task;

serveExampleRun((ready) => {
  served = ready;
  task = served.tasks.find((t) => !t.read_only) as Task;
});

const initialize = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {} } };

/** What another client gets when it tries every way in to the episode `id` (with `secret`, when it has a wrong one). */
async function intrusions(id: string, secret?: string): Promise<{ what: string; status: number; code: unknown }[]> {
  const named = secret ? { episode_id: id, session_secret: secret } : { episode_id: id };
  const [call] = task.gold_calls;
  const answers = {
    step: await post(served.base, "/step", { ...named, action: { tool: call?.tool, arguments: call?.arguments } }),
    state: await getJson(served.base, `/state?episode_id=${id}${secret ? `&session_secret=${secret}` : ""}`),
    close: await post(served.base, "/close", named),
    reset: await post(served.base, "/reset", { ...named, task_id: task.id }),
    "mcp bind": await post(served.base, `/mcp?episode_id=${id}${secret ? `&session_secret=${secret}` : ""}`, initialize),
    "mcp session id": await post(served.base, "/mcp", { jsonrpc: "2.0", id: 2, method: "tools/list" }, { "mcp-session-id": id }),
    "mcp delete": await fetch(`${served.base}/mcp`, { method: "DELETE", headers: { "mcp-session-id": id } }).then((r) => ({
      status: r.status,
      json: null as Json,
    })),
    "openenv session close": await post(served.base, "/mcp", {
      jsonrpc: "2.0",
      id: 3,
      method: "openenv/session/close",
      params: { session_id: id },
    }),
    "nemo cookie": await post(served.base, `/${call?.tool}`, call?.arguments ?? {}, { cookie: `envscale_episode=${id}` }),
  };
  return Object.entries(answers).map(([what, answer]) => ({
    what,
    status: answer.status,
    code: answer.json?.error?.code ?? answer.json?.result ?? null,
  }));
}

/** The episode is as its owner left it: `steps` steps, open, not done. */
async function expectUntouched(id: string, secret: string, steps: number): Promise<void> {
  const state = await getJson(served.base, `/state?episode_id=${id}`, { "envscale-session-secret": secret });
  expect(state.status).toBe(200);
  expect(state.json).toMatchObject({ episode_id: id, step_count: steps, done: false });
}

describe("an HTTP session, whose id another client knows", () => {
  it("cannot be read, stepped, closed, replaced or bound without its secret, nor with a wrong one", async () => {
    const reset = await post(served.base, "/reset", { task_id: task.id, episode_id: "victim" });
    const secret = reset.json.observation.metadata.session_secret as string;
    expect(secret.length).toBeGreaterThanOrEqual(40);
    const [call] = task.gold_calls;
    await post(served.base, "/step", {
      episode_id: "victim",
      session_secret: secret,
      action: { tool: call?.tool, arguments: call?.arguments },
    });

    for (const wrong of [undefined, "not-the-secret"]) {
      const tried = await intrusions("victim", wrong);
      const refused = Object.fromEntries(tried.map((t) => [t.what, [t.status, t.code]]));
      expect(refused).toEqual({
        step: [403, "NOT_OWNER"],
        state: [403, "NOT_OWNER"],
        close: [403, "NOT_OWNER"],
        reset: [403, "NOT_OWNER"],
        "mcp bind": [403, -32000],
        "mcp session id": [404, -32001],
        "mcp delete": [404, null],
        "openenv session close": [200, -32602],
        "nemo cookie": [404, "UNKNOWN_EPISODE"],
      });
    }
    await expectUntouched("victim", secret, 1);
    // Its owner goes on, and may replace it by name.
    const again = await post(served.base, "/reset", { task_id: task.id, episode_id: "victim", session_secret: secret });
    expect(again.status).toBe(200);
    expect(again.json.observation.metadata.session_secret).toBe(secret);
    await expectUntouched("victim", secret, 0);
    expect((await post(served.base, "/close", { episode_id: "victim", session_secret: secret })).status).toBe(200);
  });
});

describe("a WebSocket session", () => {
  it("belongs to its socket: another socket cannot replace or close it, nor HTTP reach it", async () => {
    const owner = await connect(served.ws);
    const other = await connect(served.ws);
    const opened = await owner.send({ type: "reset", data: { task_id: task.id, episode_id: "ws-victim" } });
    expect(opened.type).toBe("observation");
    expect(opened.data.observation.metadata.session_secret).toBeUndefined();

    expect(await other.send({ type: "reset", data: { task_id: task.id, episode_id: "ws-victim" } })).toMatchObject({
      type: "error",
      data: { code: "NOT_OWNER" },
    });
    const closing = await other.send({
      type: "mcp",
      data: { jsonrpc: "2.0", id: 1, method: "openenv/session/close", params: { session_id: "ws-victim" } },
    });
    expect(closing.data.error.code).toBe(-32602);
    expect(await other.send({ type: "state" })).toMatchObject({ type: "error", data: { code: "NO_EPISODE" } });
    const tried = await intrusions("ws-victim");
    for (const { what, status } of tried) expect([403, 404, 200], what).toContain(status);
    expect(tried.filter((t) => t.status === 200).map((t) => [t.what, t.code])).toEqual([["openenv session close", -32602]]);

    const state = await owner.send({ type: "state" });
    expect(state).toMatchObject({ type: "state", data: { episode_id: "ws-victim", step_count: 0, done: false } });
    const [call] = task.gold_calls;
    expect((await owner.send({ type: "step", data: { tool: call?.tool, arguments: call?.arguments } })).type).toBe("observation");
    owner.close();
    other.close();
  });
});

describe("an MCP session", () => {
  it("is named by a secret the server issued, not by its episode id", async () => {
    const opened = await post(served.base, `/mcp?task_id=${task.id}`, initialize);
    const session = opened.headers.get("mcp-session-id") as string;
    const episode = /^Episode (\S+) of task/.exec(opened.json.result.instructions)?.[1] as string;
    expect(session).not.toBe(episode);
    const tried = Object.fromEntries((await intrusions(episode)).map((t) => [t.what, t.status]));
    expect(tried).toMatchObject({ step: 403, state: 403, close: 403, reset: 403, "mcp session id": 404, "mcp delete": 404 });
    const listed = await post(served.base, "/mcp", { jsonrpc: "2.0", id: 2, method: "tools/list" }, { "mcp-session-id": session });
    expect(listed.json.result.tools.length).toBeGreaterThan(0);
    expect((await fetch(`${served.base}/mcp`, { method: "DELETE", headers: { "mcp-session-id": session } })).status).toBe(200);
  });
});
