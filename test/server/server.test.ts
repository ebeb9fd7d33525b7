// The OpenEnv server on loopback, on a real offline run of the example catalog: whole episodes over
// WebSocket and over plain HTTP, rewards for the gold calls and for doing nothing, MCP, verify, bad
// requests, isolation, the session cap and the idle timeout.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Task } from "../../contracts/task.ts";
import { loadRun, storedModule } from "../../episodes/run-directory.ts";
import { OfflineLlm } from "../../llm/providers/offline.ts";
import { Sandbox } from "../../sandbox/index.ts";
import { buildServer, type EnvServer } from "../../server/app.ts";
import { sharedExampleRun } from "../support/example.ts";
import type { RunView } from "../support/pipeline.ts";

// biome-ignore lint/suspicious/noExplicitAny: protocol answers, checked field by field by the assertions
type Json = any;

let run: RunView;
let sandbox: Sandbox;
let server: EnvServer;
let base: string;
let tasks: Task[];

async function start(options: { maxSessions?: number; idleTimeoutMs?: number } = {}): Promise<{ server: EnvServer; base: string }> {
  const built = await buildServer({
    run: await loadRun(run.runDir),
    sandbox,
    llm: new OfflineLlm(),
    maxSessions: options.maxSessions ?? 64,
    idleTimeoutMs: options.idleTimeoutMs ?? 60_000,
    maxTurns: 30,
    exactMatch: false,
  });
  const address = await built.app.listen({ port: 0, host: "127.0.0.1" });
  return { server: built, base: address };
}

beforeAll(async () => {
  run = sharedExampleRun();
  sandbox = await Sandbox.start({ processes: 1 });
  ({ server, base } = await start());
  tasks = (await loadRun(run.runDir)).tasks;
}, 90_000);

afterAll(async () => {
  await server?.close();
  await sandbox?.close();
});

const writeTask = () => tasks.find((t) => !t.read_only) as Task;

async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Json }> {
  const response = await fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null };
}

/** A WebSocket client that awaits one answer per message. */
async function connect(url: string): Promise<{ send(message: unknown): Promise<Json>; close(): void }> {
  const socket = new WebSocket(url);
  const answers: ((value: unknown) => void)[] = [];
  socket.addEventListener("message", (event) => answers.shift()?.(JSON.parse(String(event.data))));
  await new Promise((resolve, reject) => {
    socket.addEventListener("open", resolve, { once: true });
    socket.addEventListener("error", reject, { once: true });
  });
  return {
    send(message) {
      return new Promise((resolve) => {
        answers.push(resolve);
        socket.send(typeof message === "string" ? message : JSON.stringify(message));
      });
    },
    close: () => socket.close(),
  };
}

describe("OpenEnv over WebSocket", () => {
  it("a whole episode: reset, the gold calls, end → reward 1; doing nothing on a writing task → reward 0", async () => {
    const task = writeTask();
    const ws = await connect(`${base.replace(/^http/, "ws")}/ws`);
    const reset = await ws.send({ type: "reset", data: { task_id: task.id } });
    expect(reset.type).toBe("observation");
    expect(reset.data.done).toBe(false);
    expect(reset.data.observation.instruction).toBe(task.instruction);
    expect(reset.data.observation.tools.length).toBeGreaterThan(0);
    for (const call of task.gold_calls) {
      const step = await ws.send({ type: "step", data: { tool: call.tool, arguments: call.arguments } });
      expect(step.type).toBe("observation");
      expect(step.data.observation.error).toBeNull();
      expect(step.data.reward).toBeNull();
    }
    const end = await ws.send({ type: "step", data: { message: "All done.", end: true } });
    expect(end.data).toMatchObject({ done: true, reward: 1 });
    const state = await ws.send({ type: "state" });
    expect(state).toMatchObject({
      type: "state",
      data: { task_id: task.id, done: true, reward: 1, step_count: task.gold_calls.length + 1 },
    });

    const again = await ws.send({ type: "reset", data: { task_id: task.id } });
    expect(again.data.done).toBe(false);
    const idle = await ws.send({ type: "step", data: { message: "Nothing to do.", end: true } });
    expect(idle.data).toMatchObject({ done: true, reward: 0 });
    expect(idle.data.observation.verdict.failed).toBe("state-alignment");
    const late = await ws.send({ type: "step", data: { message: "hello" } });
    expect(late).toMatchObject({ type: "error", data: { code: "EPISODE_DONE" } });
    ws.close();
  });

  it("answers bad messages with typed errors and keeps the connection", async () => {
    const ws = await connect(`${base.replace(/^http/, "ws")}/ws`);
    expect(await ws.send("{not json")).toMatchObject({ type: "error", data: { code: "INVALID_JSON" } });
    expect(await ws.send({ type: "fly" })).toMatchObject({ type: "error", data: { code: "VALIDATION_ERROR" } });
    expect(await ws.send({ type: "step", data: { message: "hi" } })).toMatchObject({ type: "error", data: { code: "NO_EPISODE" } });
    expect(await ws.send({ type: "reset", data: { task_id: "no-such-task" } })).toMatchObject({
      type: "error",
      data: { code: "UNKNOWN_TASK" },
    });
    const ok = await ws.send({ type: "reset", data: { seed: 3 } });
    expect(ok.data.observation.task_id).toBe(tasks[3 % tasks.length]?.id);
    const refused = await ws.send({ type: "step", data: { tool: "no_such_tool", arguments: {} } });
    expect(refused.data.observation.error.code).toBe("UNKNOWN_TOOL");
    ws.close();
  });
});

describe("OpenEnv over HTTP", () => {
  it("keeps the episode named by episode_id across /reset, /step and /state", async () => {
    const task = writeTask();
    const reset = await post("/reset", { task_id: task.id, episode_id: "http-episode-1" });
    expect(reset.status).toBe(200);
    expect(reset.json.episode_id).toBe("http-episode-1");
    for (const call of task.gold_calls) {
      const step = await post("/step", { episode_id: "http-episode-1", action: { tool: call.tool, arguments: call.arguments } });
      expect(step.status).toBe(200);
      expect(step.json.observation.result).not.toBeNull();
    }
    const end = await post("/step", { episode_id: "http-episode-1", action: { message: "Done", end: true } });
    expect(end.json).toMatchObject({ done: true, reward: 1 });
    const state = await fetch(`${base}/state?episode_id=http-episode-1`).then((r) => r.json() as Promise<Json>);
    expect(state).toMatchObject({
      episode_id: "http-episode-1",
      done: true,
      reward: 1,
      tool_calls: task.gold_calls.length,
      tool_errors: 0,
    });

    const nothing = await post("/reset", { task_id: task.id });
    const end0 = await post("/step", { episode_id: nothing.json.episode_id, action: { message: "bye", end: true } });
    expect(end0.json).toMatchObject({ done: true, reward: 0 });
  });

  it("the simulated user answers messages and ends the episode once everything is said", async () => {
    const task = tasks.find((t) => t.intents.length >= 2) as Task;
    const reset = await post("/reset", { task_id: task.id });
    const id = reset.json.episode_id;
    expect(reset.json.observation.user_message).toContain(task.intents[0]);
    let last: Json = null;
    for (let i = 0; i < task.intents.length; i++) last = (await post("/step", { episode_id: id, action: { message: "What next?" } })).json;
    expect(last.done).toBe(true);
    expect((await fetch(`${base}/state?episode_id=${id}`).then((r) => r.json() as Promise<Json>)).ended_by).toBe("user");
  });

  it("serves each domain from the run's stored bundle, with no recompilation", async () => {
    const loaded = await loadRun(run.runDir);
    for (const domain of Object.keys(loaded.environments)) {
      const stored = await storedModule(loaded, domain);
      expect(stored?.hash).toBe(loaded.environments[domain]?.module.hash);
      expect(stored?.sourceMap.length).toBeGreaterThan(0);
    }
  });

  it("serves schema, metadata and health, and answers bad requests with 4xx and a JSON error", async () => {
    const schema = await fetch(`${base}/schema`).then((r) => r.json() as Promise<Json>);
    expect(Object.keys(schema).sort()).toEqual(["action", "observation", "state"]);
    expect(await fetch(`${base}/health`).then((r) => r.json() as Promise<Json>)).toMatchObject({ status: "healthy" });
    expect(await fetch(`${base}/metadata`).then((r) => r.json() as Promise<Json>)).toMatchObject({ name: "envscale", tasks: tasks.length });
    const cases: [string, unknown, number, string][] = [
      ["/step", { action: { message: "x" } }, 400, "VALIDATION_ERROR"],
      ["/step", { episode_id: "nobody", action: { message: "x" } }, 404, "UNKNOWN_EPISODE"],
      ["/step", "{oops", 400, "BAD_REQUEST"],
      ["/reset", { task_id: "nope" }, 404, "UNKNOWN_TASK"],
      ["/reset", { seed: -1 }, 400, "VALIDATION_ERROR"],
      ["/verify", { task_id: tasks[0]?.id }, 400, "VALIDATION_ERROR"],
      ["/verify", { task_id: tasks[0]?.id, messages: [{ role: "assistant", tool_calls: "x" }] }, 400, "VALIDATION_ERROR"],
    ];
    for (const [path, body, status, code] of cases) {
      const response = await post(path, body);
      expect(response.status, `${path} ${JSON.stringify(body)}`).toBe(status);
      expect(response.json.error.code).toBe(code);
    }
    const missing = await fetch(`${base}/nowhere`);
    expect(missing.status).toBe(404);
  });

  it("no session sees another's state", async () => {
    const task = writeTask();
    const a = (await post("/reset", { task_id: task.id })).json.episode_id;
    const b = (await post("/reset", { task_id: task.id })).json.episode_id;
    for (const call of task.gold_calls) await post("/step", { episode_id: a, action: { tool: call.tool, arguments: call.arguments } });
    const endB = await post("/step", { episode_id: b, action: { message: "done", end: true } });
    expect(endB.json.reward).toBe(0);
    const endA = await post("/step", { episode_id: a, action: { message: "done", end: true } });
    expect(endA.json.reward).toBe(1);
  });
});

describe("verify and MCP", () => {
  it("POST /verify answers in NeMo Gym's shape", async () => {
    const task = writeTask();
    const gold = await post("/verify", { task_id: task.id, calls: task.gold_calls });
    expect(gold.json).toEqual({ reward: 1, mask_sample: false, failure_kind: null, failure_reason: null });
    const none = await post("/verify", { task_id: task.id, calls: [] });
    expect(none.json).toMatchObject({ reward: 0, mask_sample: false, failure_kind: "state-alignment" });
    const messages = [
      { role: "user", content: task.instruction },
      ...task.gold_calls.flatMap((c, i) => [
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: `c${i}`, type: "function", function: { name: c.tool, arguments: "{broken" } }],
        },
        { role: "tool", tool_call_id: `c${i}`, content: "{}" },
      ]),
      { role: "assistant", content: "done" },
      { role: "user", content: "thanks" },
    ];
    const malformed = await post("/verify", { task_id: task.id, messages });
    expect(malformed.json).toMatchObject({ reward: 0, failure_kind: "validity" });
    expect(malformed.json.failure_reason).toMatch(/malformed call/);
    const truncated = await post("/verify", { task_id: task.id, calls: task.gold_calls, truncated: true });
    expect(truncated.json.mask_sample).toBe(true);
  });

  it("POST /mcp lists and calls the episode's tools within its session", async () => {
    const task = writeTask();
    const init = await post("/mcp", { jsonrpc: "2.0", id: 1, method: "initialize", params: {} });
    expect(init.json.result.capabilities).toHaveProperty("tools");
    const episode = (await post("/reset", { task_id: task.id })).json.episode_id;
    const session = { "mcp-session-id": episode };
    const list = await post("/mcp", { jsonrpc: "2.0", id: 2, method: "tools/list" }, session);
    const names = list.json.result.tools.map((t: { name: string }) => t.name);
    for (const call of task.gold_calls) expect(names).toContain(call.tool);
    expect(list.json.result.tools[0].inputSchema.type).toBe("object");
    for (const [i, call] of task.gold_calls.entries()) {
      const result = await post(
        "/mcp",
        { jsonrpc: "2.0", id: 10 + i, method: "tools/call", params: { name: call.tool, arguments: call.arguments } },
        session,
      );
      expect(result.json.result.isError).toBe(false);
      expect(JSON.parse(result.json.result.content[0].text)).not.toBeNull();
    }
    const refused = await post("/mcp", { jsonrpc: "2.0", id: 99, method: "tools/call", params: { name: "nope", arguments: {} } }, session);
    expect(refused.json.result.isError).toBe(true);
    const end = await post("/step", { episode_id: episode, action: { message: "done", end: true } });
    expect(end.json.reward).toBe(1);
    expect((await post("/mcp", { jsonrpc: "2.0", id: 3, method: "tools/list" })).status).toBe(400);
    expect((await post("/mcp", { jsonrpc: "2.0", id: 4, method: "resources/list" }, session)).json.error.code).toBe(-32601);
  });
});

describe("session limits", () => {
  it("refuses sessions past the cap and closes idle ones", async () => {
    const small = await start({ maxSessions: 2, idleTimeoutMs: 150 });
    try {
      const reset = (body: unknown) =>
        fetch(`${small.base}/reset`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      const first = (await (await reset({ seed: 0 })).json()) as { episode_id: string };
      await reset({ seed: 1 });
      const third = await reset({ seed: 2 });
      expect(third.status).toBe(503);
      expect(((await third.json()) as { error: { code: string } }).error.code).toBe("CAPACITY_REACHED");
      await new Promise((r) => setTimeout(r, 400));
      const gone = await fetch(`${small.base}/state?episode_id=${first.episode_id}`);
      expect(gone.status).toBe(404);
      expect((await reset({ seed: 2 })).status).toBe(200);
    } finally {
      await small.server.close();
    }
  });
});
