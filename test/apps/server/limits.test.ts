// What one client can make the server hold or do: /verify replays at most --max-verify-calls calls
// from a body within the size limit, in slices another session's steps get between; a request
// body that trickles in, a WebSocket frame left half sent and a socket left idle are dropped after
// their bounds; the run's place on disk is not shown.
import { type Socket, connect as tcp } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Task } from "../../../lib/contracts/task.ts";
import { Sandbox } from "../../../sandbox/index.ts";
import { sharedExampleRun } from "../../support/example.ts";
import { getJson, post, type Served, serve } from "../../support/server.ts";

let sandbox: Sandbox;
let served: Served;
let task: Task;

beforeAll(async () => {
  sandbox = await Sandbox.start({ processes: 1 });
  served = await serve(sharedExampleRun().runDir, sandbox, { maxVerifyCalls: 10, maxBodyBytes: 64 * 1024, requestTimeoutMs: 400 });
  task = served.tasks.find((t) => !t.read_only && t.gold_calls.length > 0) as Task;
}, 90_000);

afterAll(async () => {
  await served?.server.close();
  await sandbox?.close();
});

/** A NeMo Gym verify request whose response makes these calls. */
const nemoVerify = (calls: Task["gold_calls"]) => ({
  task_id: task.id,
  responses_create_params: { input: [] },
  response: {
    output: calls.map((c, i) => ({ type: "function_call", call_id: `c${i}`, name: c.tool, arguments: JSON.stringify(c.arguments) })),
  },
});

describe("/verify's bounds", () => {
  it("refuses more calls than --max-verify-calls, in every shape, naming the limit; at the limit it judges", async () => {
    const call = task.gold_calls[0] as Task["gold_calls"][number];
    const eleven = Array.from({ length: 11 }, () => call);
    const asMessages = eleven.map((c, i) => ({
      role: "assistant",
      content: null,
      tool_calls: [{ id: `c${i}`, type: "function", function: { name: c.tool, arguments: JSON.stringify(c.arguments) } }],
    }));
    for (const body of [{ task_id: task.id, calls: eleven }, { task_id: task.id, messages: asMessages }, nemoVerify(eleven)]) {
      const answer = await post(served.base, "/verify", body);
      expect(answer.status).toBe(413);
      expect(answer.json.error.code).toBe("TOO_MANY_CALLS");
      expect(answer.json.error.message).toMatch(/11 calls.*at most 10.*--max-verify-calls/);
    }
    const ten = await post(served.base, "/verify", { task_id: task.id, calls: eleven.slice(1) });
    expect(ten.status).toBe(200);
    expect(ten.json.failure_kind).not.toBeNull();
  });

  it("refuses a body past the size limit with 413, before reading it all", async () => {
    const answer = await post(served.base, "/verify", { task_id: task.id, calls: [], answer: "x".repeat(70 * 1024) });
    expect(answer.status).toBe(413);
    expect(answer.json.error.code).toBe("BODY_TOO_LARGE");
    expect(answer.json.error.message).toMatch(/65536 bytes/);
  });
});

describe("tool names", () => {
  it("are at most 256 characters in every transport (the sandbox keeps the name of every call)", async () => {
    const long = "t".repeat(257);
    const { episode_id, session_secret } = (await post(served.base, "/reset", { task_id: task.id })).json.observation.metadata;
    for (const action of [
      { tool: long, arguments: {} },
      { type: "call_tool", tool_name: long, arguments: {} },
    ]) {
      const answer = await post(served.base, "/step", { episode_id, session_secret, action });
      expect(answer.status).toBe(400);
      expect(answer.json.error.code).toBe("VALIDATION_ERROR");
    }
    const opened = await post(served.base, `/mcp?task_id=${task.id}`, { jsonrpc: "2.0", id: 1, method: "initialize", params: {} });
    const mcp = await post(
      served.base,
      "/mcp",
      { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: long, arguments: {} } },
      { "mcp-session-id": opened.headers.get("mcp-session-id") as string },
    );
    expect(mcp.json.error).toMatchObject({ code: -32602 });
    const seeded = await fetch(`${served.base}/seed_session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    const cookie = seeded.headers.getSetCookie()[0]?.split(";")[0] as string;
    // Fastify's own bound on a route parameter (100 characters) comes first.
    const nemo = await post(served.base, `/${long}`, {}, { cookie });
    expect(nemo.status).toBe(414);
    expect(
      (await post(served.base, "/step", { episode_id, session_secret, action: { tool: "t".repeat(256), arguments: {} } })).status,
    ).toBe(200);
  });
});

describe("a huge /verify beside a session's steps", () => {
  it("lets the other session's step through while it replays: the step is answered long before the replay ends", async () => {
    const big = await serve(sharedExampleRun().runDir, sandbox, { maxVerifyCalls: 20_000, maxBodyBytes: 8 * 1024 * 1024 });
    try {
      const read = big.tasks.find((t) => t.gold_calls.length > 0) as Task;
      const call = read.gold_calls[0] as Task["gold_calls"][number];
      const { episode_id, session_secret } = (await post(big.base, "/reset", { task_id: read.id })).json.observation.metadata;
      // The sandbox counts calls (and whole episodes) as they are sent to it.
      const sent = () => sandbox.counters.calls + sandbox.counters.episodes;
      const before = sent();
      const verify = post(big.base, "/verify", { task_id: read.id, calls: Array.from({ length: 20_000 }, () => call) });
      while (sent() === before) await new Promise((r) => setTimeout(r, 1));
      const step = await post(big.base, "/step", { episode_id, session_secret, action: { tool: call.tool, arguments: call.arguments } });
      const replayedWhenStepAnswered = sandbox.counters.calls - before;
      expect(step.status).toBe(200);
      expect((await verify).status).toBe(200);
      expect(replayedWhenStepAnswered).toBeLessThan(10_000);
    } finally {
      await big.server.close();
    }
  }, 60_000);
});

/** A raw TCP connection to the server, and a promise of its end (with whatever the server wrote). */
function rawConnection(): Promise<{ socket: Socket; ended: Promise<string> }> {
  const port = Number(new URL(served.base).port);
  return new Promise((resolve, reject) => {
    const socket = tcp(port, "127.0.0.1", () => {
      let received = "";
      socket.on("data", (chunk) => {
        received += chunk.toString("latin1");
      });
      const ended = new Promise<string>((done) => socket.once("close", () => done(received)));
      resolve({ socket, ended });
    });
    socket.once("error", reject);
  });
}

describe("connections that never finish", () => {
  it("drops a request whose body trickles in past the request timeout", async () => {
    const { socket, ended } = await rawConnection();
    socket.write("POST /reset HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{");
    const trickle = setInterval(() => socket.writable && socket.write(" "), 50);
    const received = await ended;
    clearInterval(trickle);
    expect(received).toMatch(/^(HTTP\/1.1 408|$)/);
  });

  it("drops a connection that sends nothing", async () => {
    const { ended } = await rawConnection();
    expect(await ended).toMatch(/^(HTTP\/1.1 408|$)/);
  });

  /** A masked text frame announcing 1,000 bytes (FIN, opcode 1; 126 → 16-bit length), and 10 of them. */
  const halfFrame = [0x81, 0xfe, 0x03, 0xe8, 1, 2, 3, 4, ...Array.from({ length: 10 }, () => 0x41)];
  /** A whole masked text frame of `text` (under 126 bytes), mask 0. */
  const wholeFrame = (text: string) => [0x81, 0x80 | text.length, 0, 0, 0, 0, ...Buffer.from(text)];

  for (const [name, bytes] of [
    ["alone", halfFrame],
    ["after a whole message in the same packet", [...wholeFrame('{"type":"state"}'), ...halfFrame]],
  ] as const)
    it(`drops a WebSocket whose frame stops half way (${name})`, async () => {
      const { socket, ended } = await rawConnection();
      socket.write(
        "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
      );
      await new Promise((r) => setTimeout(r, 100));
      socket.write(Buffer.from(bytes));
      const received = await ended;
      expect(received).toMatch(/^HTTP\/1.1 101/);
    });

  it("closes a WebSocket that sends nothing for the idle timeout", async () => {
    const idle = await serve(sharedExampleRun().runDir, sandbox, { idleTimeoutMs: 300 });
    try {
      const socket = new WebSocket(idle.ws);
      const closed = new Promise<number>((done) => socket.addEventListener("close", (event) => done(event.code)));
      await new Promise((done) => socket.addEventListener("open", done));
      expect(await closed).toBe(1001);
    } finally {
      await idle.server.close();
    }
  });
});

describe("what the server tells about itself", () => {
  it("/info and /metadata do not show where the run lives on disk", async () => {
    const runDir = served.run.runDir;
    for (const path of ["/info", "/metadata"]) {
      const text = JSON.stringify((await getJson(served.base, path)).json);
      expect(text, path).not.toContain(runDir);
      expect(text, path).not.toMatch(/\/tmp\/|\/home\/|\/work\//);
    }
  });
});
