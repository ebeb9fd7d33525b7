// OpenEnv's own clients against `envscale serve`, with the wire shapes they send and parse
// (test/fixtures/peers/openenv.json, written from OpenEnv's published protocol): typed actions
// carrying `metadata`, MCP-style actions over /ws, `mcp` WebSocket messages, HTTP MCP sessions, and
// answers that fit OpenEnv's closed response models.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Task } from "../../../lib/contracts/task.ts";
import { fixtures } from "../../support/helpers.ts";
import { connect, getJson, type Json, post, type Served, serveExampleRun } from "../../support/server.ts";

const peer = JSON.parse(readFileSync(join(fixtures, "peers", "openenv.json"), "utf8"));
/** A fixture message with its placeholders filled in. */
const message = (name: string, fill: Record<string, unknown> = {}): Json => {
  let text = JSON.stringify(peer.messages[name] ?? peer.http_mcp[name]);
  for (const [key, value] of Object.entries(fill)) text = text.replaceAll(`"<${key}>"`, JSON.stringify(value));
  return JSON.parse(text);
};
const keys = (value: object) => Object.keys(value).sort();

let served: Served;
let writeTask: Task;

serveExampleRun((ready) => {
  served = ready;
  writeTask = served.tasks.find((t) => !t.read_only) as Task;
});

describe("OpenEnv's typed clients over /ws", () => {
  it("reset, typed actions with metadata, the end: answers EnvClient parses, reward 1 for the gold calls", async () => {
    const ws = await connect(served.ws);
    const reset = await ws.send(message("reset", { task: writeTask.id }));
    expect(reset.type).toBe("observation");
    expect(keys(reset.data)).toEqual(["done", "observation", "reward"]);
    expect(reset.data.observation.metadata.episode_id).toBe("openenv-typed-1");
    expect(reset.data.observation.instruction).toBe(writeTask.instruction);
    for (const call of writeTask.gold_calls) {
      const step = message("typed_step", { tool: call.tool });
      step.data.arguments = call.arguments;
      const answer = await ws.send(step);
      expect(answer.type).toBe("observation");
      expect(answer.data.observation.error).toBeNull();
      expect(answer.data.observation.metadata).toMatchObject({ episode_id: "openenv-typed-1", action: { client: "typed" } });
    }
    const end = await ws.send(message("typed_message"));
    expect(end.data).toMatchObject({ done: true, reward: 1 });
    expect(end.data.observation.verdict.rule).toMatch(/gold state/);
    const state = await ws.send(message("state"));
    expect(state).toMatchObject({ type: "state", data: { episode_id: "openenv-typed-1", done: true, reward: 1 } });
    ws.close();
  });

  it("MCP-style actions: list_tools (OpenEnv's Tool, not a turn) and call_tool (a CallToolObservation)", async () => {
    const ws = await connect(served.ws);
    await ws.send(message("reset", { task: writeTask.id }));
    const listed = await ws.send(message("list_tools"));
    expect(listed.type).toBe("observation");
    expect(listed.data.observation.tools.length).toBeGreaterThan(0);
    for (const tool of listed.data.observation.tools) expect(keys(tool)).toEqual(peer.closed_models.Tool.slice().sort());
    expect((await ws.send(message("state"))).data.step_count).toBe(0);

    const [first] = writeTask.gold_calls;
    const call = message("call_tool", { tool: first?.tool });
    call.data.arguments = first?.arguments;
    const called = await ws.send(call);
    // No `tools` key: OpenEnv's MCPToolClient would read the answer as a tool list.
    expect(keys(called.data.observation)).toEqual(["error", "metadata", "result", "tool_name"]);
    expect(called.data.observation).toMatchObject({ tool_name: first?.tool, error: null });
    expect(called.data.observation.result).not.toBeNull();

    const unknown = await ws.send(message("call_tool", { tool: "no_such_tool" }));
    expect(keys(unknown.data.observation.error)).toEqual(peer.closed_models.ToolError.slice().sort());
    expect(unknown.data.observation.error.error_type).toBe("tool_not_found");
    expect(peer.tool_error_types).toContain(unknown.data.observation.error.error_type);
    ws.close();
  });

  it("`mcp` messages carry JSON-RPC within the connection's episode", async () => {
    const ws = await connect(served.ws);
    await ws.send(message("reset", { task: writeTask.id }));
    const listed = await ws.send(message("mcp_tools_list"));
    expect(listed).toMatchObject({ type: "mcp", data: { jsonrpc: "2.0", id: 1 } });
    expect(listed.data.result.tools.map((t: Json) => t.name)).toContain(writeTask.gold_calls[0]?.tool);
    const call = message("mcp_tools_call", { tool: writeTask.gold_calls[0]?.tool });
    call.data.params.arguments = writeTask.gold_calls[0]?.arguments;
    const called = await ws.send(call);
    expect(called.data.result.isError).toBe(false);
    ws.close();
  });

  it("answers what it cannot serve with OpenEnv's error codes, and keeps the connection", async () => {
    const ws = await connect(served.ws);
    const cases: [unknown, string][] = [
      ["{not json", "INVALID_JSON"],
      [{ type: "fly" }, "UNKNOWN_TYPE"],
      [{ data: {} }, "UNKNOWN_TYPE"],
      [{ type: "reset", data: { seed: -3 } }, "VALIDATION_ERROR"],
      [{ type: "step", data: { message: "hi" } }, "NO_EPISODE"],
      [{ type: "reset", data: { task_id: "no-such-task" } }, "UNKNOWN_TASK"],
    ];
    for (const [sent, code] of cases) {
      const answer = await ws.send(sent);
      expect(answer, JSON.stringify(sent)).toMatchObject({ type: "error", data: { code } });
      expect(keys(answer.data)).toEqual(["code", "message"]);
    }
    expect(peer.ws_error_codes).toContain("UNKNOWN_TYPE");
    const ok = await ws.send({ type: "reset", data: { seed: 3 } });
    expect(ok.data.observation.task_id).toBe(served.tasks[3 % served.tasks.length]?.id);
    const bad = await ws.send({ type: "step", data: { tool: writeTask.gold_calls[0]?.tool, arguments: {}, extra: 1 } });
    expect(bad).toMatchObject({ type: "error", data: { code: "VALIDATION_ERROR" } });
    ws.close();
  });
});

describe("OpenEnv over HTTP", () => {
  it("answers reset, health, metadata and schema within OpenEnv's closed models", async () => {
    const reset = await post(served.base, "/reset", { task_id: writeTask.id });
    expect(keys(reset.json)).toEqual(peer.closed_models.ResetResponse.slice().sort());
    expect(typeof reset.json.observation.metadata.episode_id).toBe("string");
    const health = await getJson(served.base, "/health");
    expect(keys(health.json)).toEqual(peer.closed_models.HealthResponse);
    const metadata = await getJson(served.base, "/metadata");
    for (const key of Object.keys(metadata.json)) expect(peer.closed_models.EnvironmentMetadata).toContain(key);
    expect(metadata.json.name).toBe("envscale");
    const schema = await getJson(served.base, "/schema");
    expect(keys(schema.json)).toEqual(peer.closed_models.SchemaResponse.slice().sort());
    const info = await getJson(served.base, "/info");
    expect(info.json).toMatchObject({ tasks: served.tasks.length, max_sessions: 64 });
  });

  it("keeps the episode named by episode_id across /reset, /step and /state; a step answer is OpenEnv's StepResponse", async () => {
    const id = "http-episode-1";
    const reset = await post(served.base, "/reset", { task_id: writeTask.id, episode_id: id });
    expect(reset.json.observation.metadata.episode_id).toBe(id);
    // The session's secret comes with the reset; every later request on the episode presents it.
    const secret = reset.json.observation.metadata.session_secret;
    expect(reset.headers.get("envscale-session-secret")).toBe(secret);
    for (const call of writeTask.gold_calls) {
      const step = await post(served.base, "/step", {
        episode_id: id,
        session_secret: secret,
        action: { tool: call.tool, arguments: call.arguments, metadata: {} },
      });
      expect(step.status).toBe(200);
      expect(keys(step.json)).toEqual(peer.closed_models.StepResponse.slice().sort());
      expect(step.json.observation.result).not.toBeNull();
    }
    const end = await post(served.base, "/step", { episode_id: id, session_secret: secret, action: { message: "Done", end: true } });
    expect(end.json).toMatchObject({ done: true, reward: 1 });
    const state = await getJson(served.base, `/state?episode_id=${id}`, { "envscale-session-secret": secret });
    expect(state.json).toMatchObject({ episode_id: id, done: true, reward: 1, tool_calls: writeTask.gold_calls.length, tool_errors: 0 });
  });

  it("OpenEnv's HTTP MCP sessions: openenv/session/create, calls naming params.session_id, openenv/session/close", async () => {
    const created = await post(served.base, "/mcp", message("session_create", { task: writeTask.id }));
    const session = created.json.result.session_id as string;
    expect(typeof session).toBe("string");
    const listed = await post(served.base, "/mcp", message("tools_list", { session }));
    expect(listed.json.result.tools.map((t: Json) => t.name)).toContain(writeTask.gold_calls[0]?.tool);
    const call = message("tools_call", { session, tool: writeTask.gold_calls[0]?.tool });
    call.params.arguments = writeTask.gold_calls[0]?.arguments;
    expect((await post(served.base, "/mcp", call)).json.result.isError).toBe(false);
    expect((await post(served.base, "/mcp", message("session_close", { session }))).json.result).toEqual({
      session_id: session,
      closed: true,
    });
    const gone = await post(served.base, "/mcp", message("tools_list", { session }));
    expect(gone.status).toBe(404);
    expect(gone.json.error.code).toBe(-32001);
  });
});
