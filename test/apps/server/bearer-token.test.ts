// `--token`: with one, every route (HTTP, the WebSocket upgrade, MCP, NeMo Gym's) answers 401
// unless the request carries `Authorization: Bearer <token>`, and the clients that send it work as
// before. `envscale serve` refuses to listen on an address other than loopback without a token.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startServe } from "../../../bench/support/serve-process.ts";
import type { Task } from "../../../lib/contracts/task.ts";
import { Sandbox } from "../../../sandbox/index.ts";
import { sharedExampleRun } from "../../support/example.ts";
import { runCli } from "../../support/helpers.ts";
import { getJson, post, type Served, serve } from "../../support/server.ts";

const TOKEN = "a-test-token-of-some-length";
const auth = { authorization: `Bearer ${TOKEN}` };

let sandbox: Sandbox;
let served: Served;
let task: Task;

beforeAll(async () => {
  sandbox = await Sandbox.start({ processes: 1 });
  served = await serve(sharedExampleRun().runDir, sandbox, { token: TOKEN });
  task = served.tasks.find((t) => !t.read_only) as Task;
}, 90_000);

afterAll(async () => {
  await served?.server.close();
  await sandbox?.close();
});

/**
 * Open a WebSocket with these headers: "open", or the HTTP status the upgrade was refused with,
 * once the server has closed the refused connection.
 */
function upgrade(headers: Record<string, string>): Promise<{ outcome: string; socket: WebSocket }> {
  const socket = new WebSocket(served.ws, { headers });
  return new Promise((resolve) => {
    socket.once("open", () => resolve({ outcome: "open", socket }));
    socket.once("unexpected-response", (_request, response) => {
      response.resume();
      response.socket.once("close", () => resolve({ outcome: String(response.statusCode), socket }));
    });
    socket.once("error", (error) => resolve({ outcome: `error: ${error.message}`, socket }));
  });
}

describe("a server with --token", () => {
  it("answers 401 on every route without the token, or with a wrong one", async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: "Bearer wrong-token-of-some-length" }, { authorization: TOKEN }];
    for (const headers of attempts) {
      const gets = await Promise.all(
        ["/health", "/metadata", "/info", "/tasks", "/schema", "/state?episode_id=x"].map((p) => getJson(served.base, p, headers)),
      );
      for (const answer of gets) expect(answer).toMatchObject({ status: 401, json: { error: { code: "UNAUTHORIZED" } } });
      for (const path of ["/reset", "/step", "/close", "/verify", "/seed_session", "/aggregate_metrics", `/${task.gold_calls[0]?.tool}`]) {
        const answer = await post(served.base, path, { task_id: task.id }, headers);
        expect(answer.status, path).toBe(401);
        expect(answer.json.error.code, path).toBe("UNAUTHORIZED");
      }
      const mcp = await post(served.base, "/mcp", { jsonrpc: "2.0", id: 7, method: "initialize", params: {} }, headers);
      expect(mcp.status).toBe(401);
      // Refused before its body is read: the answer cannot name the request's id.
      expect(mcp.json).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32000, data: { code: "UNAUTHORIZED" } } });
      const { outcome, socket } = await upgrade(headers);
      expect(outcome).toBe("401");
      socket.terminate();
    }
    expect(served.server.sessions.size).toBe(0);
  });

  it("serves HTTP, WebSocket and the MCP SDK's client that send it", async () => {
    const reset = await post(served.base, "/reset", { task_id: task.id }, auth);
    expect(reset.status).toBe(200);
    const { episode_id, session_secret } = reset.json.observation.metadata;
    expect((await post(served.base, "/close", { episode_id, session_secret }, auth)).status).toBe(200);

    const { outcome, socket } = await upgrade(auth);
    expect(outcome).toBe("open");
    const answer = await new Promise<{ type: string }>((resolve) => {
      socket.once("message", (data) => resolve(JSON.parse(String(data))));
      socket.send(JSON.stringify({ type: "reset", data: { task_id: task.id } }));
    });
    expect(answer.type).toBe("observation");
    socket.close();

    const transport = new StreamableHTTPClientTransport(new URL(`${served.base}/mcp?task_id=${task.id}`), {
      requestInit: { headers: auth },
    });
    const client = new Client({ name: "envscale-test", version: "1.0.0" });
    await client.connect(transport);
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    await transport.terminateSession();
    await client.close();
  });
});

describe("envscale serve: --token off loopback, and the limits' flags", () => {
  it("refuses to start without --token, naming the flag; a short token too", async () => {
    const runDir = sharedExampleRun().runDir;
    const bare = await runCli(["serve", runDir, "--host", "0.0.0.0", "--port", "0"], { env: { ENVSCALE_TOKEN: "" } });
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/E_USAGE/);
    expect(bare.stderr).toMatch(/--host 0\.0\.0\.0 is not a loopback address/);
    expect(bare.stderr).toMatch(/--token/);
    const short = await runCli(["serve", runDir, "--host", "::", "--port", "0", "--token", "abc"]);
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/--token must be at least 16 characters/);
  });

  it("serves with a token, to requests that carry it, within the limits its flags set", async () => {
    const flags = ["--host", "0.0.0.0", "--processes", "1", "--max-verify-calls", "2", "--max-body-mb", "1", "--request-timeout", "5"];
    const serving = await startServe(sharedExampleRun().runDir, flags, { ENVSCALE_TOKEN: TOKEN });
    try {
      const base = `http://127.0.0.1:${new URL(serving.address).port}`;
      expect((await fetch(`${base}/health`)).status).toBe(401);
      expect((await fetch(`${base}/health`, { headers: auth })).status).toBe(200);
      const calls = Array.from({ length: 3 }, () => ({ tool: "x", arguments: {} }));
      const many = await post(base, "/verify", { task_id: task.id, calls }, auth);
      expect([many.status, many.json.error.code]).toEqual([413, "TOO_MANY_CALLS"]);
      const large = await post(base, "/verify", { task_id: task.id, calls: [], answer: "x".repeat(1024 * 1024) }, auth);
      expect([large.status, large.json.error.code]).toEqual([413, "BODY_TOO_LARGE"]);
    } finally {
      await serving.stop();
    }
  }, 60_000);
});
