// Hostile request bodies on every transport: nesting past the server's limit and prototype-poisoning
// keys are refused with a 4xx (an error message, a JSON-RPC error) naming the limit, never a 500,
// and the server keeps serving.
import { describe, expect, it } from "vitest";
import { MAX_DEPTH } from "../../../apps/server/json-body.ts";
import type { Task } from "../../../lib/contracts/task.ts";
import { connect, post, type Served, serveExampleRun } from "../../support/server.ts";

let served: Served;
let task: Task;

serveExampleRun((ready) => {
  served = ready;
  task = served.tasks[0] as Task;
});

/** `{"a": {"a": … 1}}`, `depth` objects deep, as text (building it as a value would recurse to print). */
const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;

describe("deep nesting and poisoning keys", () => {
  it("HTTP: step arguments nested 5,000 deep are a 400 naming the limit; 60 deep is served", async () => {
    const { episode_id: id, session_secret: secret } = (await post(served.base, "/reset", { task_id: task.id })).json.observation.metadata;
    const tool = task.gold_calls[0]?.tool;
    const deep = `{"episode_id":"${id}","session_secret":"${secret}","action":{"tool":"${tool}","arguments":{"x":${nested(5000)}}}}`;
    const refused = await post(served.base, "/step", deep);
    expect(refused.status).toBe(400);
    expect(refused.json.error).toMatchObject({ code: "TOO_DEEP" });
    expect(refused.json.error.message).toContain(String(MAX_DEPTH));
    const fine = `{"episode_id":"${id}","session_secret":"${secret}","action":{"tool":"${tool}","arguments":{"x":${nested(MAX_DEPTH - 5)}}}}`;
    const served_ = await post(served.base, "/step", fine);
    expect(served_.status).toBe(200);
    for (const path of ["/reset", "/verify", "/seed_session", "/aggregate_metrics"]) {
      const answer = await post(served.base, path, `{"task_id":"${task.id}","x":${nested(5000)}}`);
      expect(answer.status, path).toBe(400);
      expect(answer.json.error.code, path).toBe("TOO_DEEP");
    }
  });

  it("HTTP: __proto__ and constructor.prototype keys are refused", async () => {
    for (const body of [`{"task_id":"${task.id}","__proto__":{"polluted":1}}`, `{"constructor":{"prototype":{"polluted":1}}}`]) {
      const answer = await post(served.base, "/reset", body);
      expect(answer.status).toBe(400);
      expect(answer.json.error.code).toBe("FORBIDDEN_KEY");
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("MCP: a deep request is a JSON-RPC error in a 400", async () => {
    const answer = await post(served.base, "/mcp", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"arguments":${nested(5000)}}}`);
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32600 } });
    expect(answer.json.error.message).toMatch(/deeper than/);
  });

  it("WebSocket: a deep step is an error message and the connection goes on", async () => {
    const ws = await connect(served.ws);
    await ws.send({ type: "reset", data: { task_id: task.id } });
    const answer = await ws.send(`{"type":"step","data":{"tool":"${task.gold_calls[0]?.tool}","arguments":{"x":${nested(5000)}}}}`);
    expect(answer).toMatchObject({ type: "error", data: { code: "TOO_DEEP" } });
    const mcp = await ws.send(`{"type":"mcp","data":{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":${nested(5000)}}}}`);
    expect(mcp).toMatchObject({ type: "error", data: { code: "TOO_DEEP" } });
    expect((await ws.send({ type: "state" })).type).toBe("state");
    ws.close();
  });
});
