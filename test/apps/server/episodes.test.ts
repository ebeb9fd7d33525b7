// Episodes as the server keeps them: the simulated user's turns, the run's stored bundles, bad
// requests answered 4xx with a typed error, the session cap, the idle timeout and the warm pool.
import { describe, expect, it } from "vitest";
import type { Task } from "../../../lib/contracts/task.ts";
import { storedModule } from "../../../lib/episodes/run-directory.ts";
import type { Sandbox } from "../../../sandbox/index.ts";
import { sharedExampleRun } from "../../support/example.ts";
import { getJson, post, type Served, serve, serveExampleRun } from "../../support/server.ts";

let sandbox: Sandbox;
let served: Served;

serveExampleRun((ready, started) => {
  served = ready;
  sandbox = started;
});

describe("episodes", () => {
  it("the simulated user answers messages and ends the episode once everything is said", async () => {
    const task = served.tasks.find((t) => t.intents.length >= 2) as Task;
    const reset = await post(served.base, "/reset", { task_id: task.id });
    const { episode_id: id, session_secret } = reset.json.observation.metadata;
    expect(reset.json.observation.user_message).toContain(task.intents[0]);
    let last = reset.json;
    for (let i = 0; i < task.intents.length; i++)
      last = (await post(served.base, "/step", { episode_id: id, session_secret, action: { message: "What next?" } })).json;
    expect(last.done).toBe(true);
    expect(last.reward).toBe(0);
    expect((await getJson(served.base, `/state?episode_id=${id}&session_secret=${session_secret}`)).json.ended_by).toBe("user");
  });

  it("serves each domain from the run's stored bundle, with no recompilation", async () => {
    for (const domain of Object.keys(served.run.environments)) {
      const stored = await storedModule(served.run, domain);
      expect(stored?.hash).toBe(served.run.environments[domain]?.module.hash);
      expect(stored?.sourceMap.length).toBeGreaterThan(0);
    }
  });

  it("answers bad requests with a 4xx and a typed JSON error; a done episode refuses more steps", async () => {
    const task = served.tasks[0] as Task;
    const cases: [string, unknown, number, string][] = [
      ["/step", { action: { message: "x" } }, 400, "VALIDATION_ERROR"],
      ["/step", { episode_id: "nobody", action: { message: "x" } }, 404, "UNKNOWN_EPISODE"],
      ["/step", "{oops", 400, "INVALID_JSON"],
      ["/reset", { task_id: "nope" }, 404, "UNKNOWN_TASK"],
      ["/reset", { seed: -1 }, 400, "VALIDATION_ERROR"],
      ["/verify", { task_id: task.id }, 400, "VALIDATION_ERROR"],
      ["/verify", { task_id: task.id, messages: [{ role: "assistant", tool_calls: "x" }] }, 400, "VALIDATION_ERROR"],
      ["/close", { episode_id: "nobody" }, 404, "UNKNOWN_EPISODE"],
    ];
    for (const [path, body, status, code] of cases) {
      const response = await post(served.base, path, body);
      expect(response.status, `${path} ${JSON.stringify(body)}`).toBe(status);
      expect(response.json.error.code, `${path} ${JSON.stringify(body)}`).toBe(code);
      expect(response.json.error.message.length).toBeGreaterThan(5);
    }
    const missing = await fetch(`${served.base}/nowhere`);
    expect(missing.status).toBe(404);

    const { episode_id: id, session_secret } = (await post(served.base, "/reset", { task_id: task.id })).json.observation.metadata;
    await post(served.base, "/step", { episode_id: id, session_secret, action: { message: "bye", end: true } });
    const late = await post(served.base, "/step", { episode_id: id, session_secret, action: { message: "hello" } });
    expect(late.status).toBe(409);
    expect(late.json.error.code).toBe("EPISODE_DONE");
    expect((await post(served.base, "/close", { episode_id: id, session_secret })).json).toEqual({ closed: true, episode_id: id });
  });
});

describe("session limits and the warm pool", () => {
  it("refuses sessions past the cap, closes idle ones, and resets a warm environment for the next episode", async () => {
    const small = await serve(sharedExampleRun().runDir, sandbox, { maxSessions: 2, idleTimeoutMs: 150 });
    try {
      const first = (await post(small.base, "/reset", { seed: 0 })).json.observation.metadata;
      await post(small.base, "/reset", { seed: 1 });
      const third = await post(small.base, "/reset", { seed: 2 });
      expect(third.status).toBe(503);
      expect(third.json.error.code).toBe("CAPACITY_REACHED");
      await new Promise((r) => setTimeout(r, 400));
      const gone = await getJson(small.base, `/state?episode_id=${first.episode_id}`, { "envscale-session-secret": first.session_secret });
      expect(gone.status).toBe(404);
      expect(small.server.sessions.size).toBe(0);
      expect(small.server.sessions.pool.size).toBe(2);
      // Same domain as task 0: its warm environment is reset to the new task's state.
      const again = await post(small.base, "/reset", { seed: 0 });
      expect(again.status).toBe(200);
      expect(small.server.sessions.pool.counters.reused).toBe(1);
      const task = small.tasks[0] as Task;
      const { episode_id, session_secret } = again.json.observation.metadata;
      for (const call of task.gold_calls)
        await post(small.base, "/step", { episode_id, session_secret, action: { tool: call.tool, arguments: call.arguments } });
      const end = await post(small.base, "/step", {
        episode_id,
        session_secret,
        action: { message: `${(task.answer_facts ?? []).map((f) => f.value).join(", ")}`, end: true },
      });
      expect(end.json.reward).toBe(1);
    } finally {
      await small.server.close();
    }
  });
});
