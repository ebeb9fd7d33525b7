// The official MCP TypeScript SDK's client against `envscale serve`'s Streamable HTTP endpoint,
// unchanged: connect (a session is an episode), listTools, callTool, ping, terminateSession; and
// the transport's rules checked on the wire: version negotiation, 202 for notifications, 405 for
// GET, 404 with a JSON-RPC error for a session that is gone.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { LATEST_PROTOCOL_VERSION } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { MCP_VERSIONS } from "../../../apps/server/mcp-methods.ts";
import type { Task } from "../../../lib/contracts/task.ts";
import { getJson, post, type Served, serveExampleRun } from "../../support/server.ts";

let served: Served;
let task: Task;

serveExampleRun((ready) => {
  served = ready;
  task = served.tasks.find((t) => !t.read_only) as Task;
});

async function connect(query: string): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const transport = new StreamableHTTPClientTransport(new URL(`${served.base}/mcp?${query}`));
  const client = new Client({ name: "envscale-test", version: "1.0.0" });
  await client.connect(transport);
  return { client, transport };
}

describe("the MCP SDK's client", () => {
  it("connect, listTools, callTool, ping, terminateSession: a whole episode; the gold calls earn 1", async () => {
    const { client, transport } = await connect(`task_id=${task.id}`);
    const session = transport.sessionId as string;
    expect(session).toBeTruthy();
    expect(transport.protocolVersion).toBe(LATEST_PROTOCOL_VERSION);
    expect(MCP_VERSIONS).toContain(LATEST_PROTOCOL_VERSION);
    expect(client.getServerCapabilities()?.tools).toBeDefined();
    expect(client.getInstructions()).toContain(task.instruction);

    const { tools } = await client.listTools();
    for (const call of task.gold_calls) expect(tools.map((t) => t.name)).toContain(call.tool);
    for (const tool of tools) expect(tool.inputSchema.type).toBe("object");
    for (const call of task.gold_calls) {
      const result = await client.callTool({ name: call.tool, arguments: call.arguments });
      expect(result.isError, call.tool).toBe(false);
      expect(result.structuredContent).toBeDefined();
    }
    const refused = await client.callTool({ name: "no_such_tool", arguments: {} });
    expect(refused.isError).toBe(true);
    expect(await client.ping()).toEqual({});

    // The session is the episode, and its id the episode's session secret: OpenEnv's HTTP routes
    // see the episode with it, and end it with the reward.
    const episode = /^Episode (\S+) of task/.exec(client.getInstructions() ?? "")?.[1] as string;
    const state = await getJson(served.base, `/state?episode_id=${episode}`, { "envscale-session-secret": session });
    expect(state.json).toMatchObject({ task_id: task.id, tool_calls: task.gold_calls.length + 1, tool_errors: 1 });
    const end = await post(served.base, "/step", { episode_id: episode, session_secret: session, action: { message: "Done.", end: true } });
    expect(end.json).toMatchObject({ done: true, reward: 1 });
    // A done episode answers in JSON-RPC, not with an HTTP error.
    await expect(client.callTool({ name: task.gold_calls[0]?.tool as string, arguments: {} })).rejects.toThrow(/done/);

    await transport.terminateSession();
    expect(served.server.sessions.ids()).not.toContain(episode);
    await client.close();
  });

  it("binds a session to an episode opened by reset, with its secret; DELETE ends that episode", async () => {
    const reset = await post(served.base, "/reset", { task_id: task.id, episode_id: "bound-episode" });
    expect(reset.status).toBe(200);
    const secret = reset.json.observation.metadata.session_secret as string;
    const { client, transport } = await connect(`episode_id=bound-episode&session_secret=${secret}`);
    expect(transport.sessionId).toBe(secret);
    const [first] = task.gold_calls;
    expect((await client.callTool({ name: first?.tool as string, arguments: first?.arguments })).isError).toBe(false);
    const headers = { "envscale-session-secret": secret };
    expect((await getJson(served.base, "/state?episode_id=bound-episode", headers)).json.tool_calls).toBe(1);
    await transport.terminateSession();
    expect((await getJson(served.base, "/state?episode_id=bound-episode", headers)).status).toBe(404);
    await client.close();
  });
});

describe("the Streamable HTTP transport on the wire", () => {
  const initialize = (protocolVersion: string) => ({
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion, capabilities: {}, clientInfo: { name: "raw", version: "0" } },
  });

  it("negotiates the version: the client's when spoken here, else the newest", async () => {
    for (const version of MCP_VERSIONS) {
      const answer = await post(served.base, `/mcp?task_id=${task.id}`, initialize(version));
      expect(answer.json.result.protocolVersion).toBe(version);
      expect(answer.headers.get("mcp-session-id")).toBeTruthy();
    }
    const future = await post(served.base, "/mcp", initialize("2099-01-01"));
    expect(future.json.result.protocolVersion).toBe(MCP_VERSIONS[0]);
    const session = future.headers.get("mcp-session-id") as string;
    const wrongHeader = await post(
      served.base,
      "/mcp",
      { jsonrpc: "2.0", id: 2, method: "ping" },
      { "mcp-session-id": session, "mcp-protocol-version": "1999-01-01" },
    );
    expect(wrongHeader.status).toBe(400);
    expect(wrongHeader.json.error.message).toMatch(/unsupported MCP-Protocol-Version/);
  });

  it("notifications get 202; GET is 405; a gone session 404 with a JSON-RPC error; no session 400; unknown methods -32601", async () => {
    const opened = await post(served.base, "/mcp", initialize(MCP_VERSIONS[0]));
    const session = opened.headers.get("mcp-session-id") as string;
    const headers = { "mcp-session-id": session };
    const notified = await fetch(`${served.base}/mcp`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
    });
    expect(notified.status).toBe(202);
    expect(await notified.text()).toBe("");
    const stream = await fetch(`${served.base}/mcp`, { headers: { accept: "text/event-stream", ...headers } });
    expect(stream.status).toBe(405);
    expect(stream.headers.get("allow")).toMatch(/POST/);

    const unknown = await post(served.base, "/mcp", { jsonrpc: "2.0", id: 3, method: "resources/list" }, headers);
    expect(unknown.json.error.code).toBe(-32601);
    const ended = await fetch(`${served.base}/mcp`, { method: "DELETE", headers });
    expect(ended.status).toBe(200);
    const gone = await post(served.base, "/mcp", { jsonrpc: "2.0", id: 4, method: "tools/list" }, headers);
    expect(gone.status).toBe(404);
    expect(gone.json).toMatchObject({ jsonrpc: "2.0", id: 4, error: { code: -32001 } });
    expect((await fetch(`${served.base}/mcp`, { method: "DELETE", headers })).status).toBe(404);
    const none = await post(served.base, "/mcp", { jsonrpc: "2.0", id: 5, method: "tools/list" });
    expect(none.status).toBe(400);
    expect(none.json.error.message).toMatch(/initialize first/);
  });
});
