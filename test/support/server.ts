// `envscale serve` in the test process, on the shared example run, and small clients for it: JSON
// over HTTP and a WebSocket that awaits one answer per message.
import { afterAll, beforeAll } from "vitest";
import { buildServer, type EnvServer, type ServerOptions } from "../../apps/server/app.ts";
import type { Task } from "../../lib/contracts/task.ts";
import { type LoadedRun, loadRun } from "../../lib/episodes/run-directory.ts";
import { OfflineLlm } from "../../lib/llm/providers/offline.ts";
import { Sandbox } from "../../sandbox/index.ts";
import { sharedExampleRun } from "./example.ts";

// biome-ignore lint/suspicious/noExplicitAny: protocol answers, checked field by field by the assertions
export type Json = any;

export interface Served {
  server: EnvServer;
  base: string;
  ws: string;
  tasks: Task[];
  run: LoadedRun;
}

/** A server on loopback (any free port) over the run in `runDir`. */
export async function serve(runDir: string, sandbox: Sandbox, options: Partial<ServerOptions> = {}): Promise<Served> {
  const run = await loadRun(runDir);
  const server = await buildServer({
    run,
    sandbox,
    llm: new OfflineLlm(),
    maxSessions: 64,
    idleTimeoutMs: 60_000,
    maxTurns: 30,
    exactMatch: false,
    ...options,
  });
  const base = await server.app.listen({ port: 0, host: "127.0.0.1" });
  return { server, base, ws: `${base.replace(/^http/, "ws")}/ws`, tasks: run.tasks, run };
}

/** POST JSON (or raw text) and read the JSON answer. */
export async function post(
  base: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Json; headers: Headers }> {
  const response = await fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null, headers: response.headers };
}

export async function getJson(base: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; json: Json }> {
  const response = await fetch(`${base}${path}`, { headers });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null };
}

export interface SocketClient {
  send(message: unknown): Promise<Json>;
  close(): void;
}

/** A WebSocket client that awaits one answer per message (as OpenEnv's EnvClient does). */
export async function connect(url: string): Promise<SocketClient> {
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

/**
 * The shared example run served for the tests around the call: a sandbox process and a server
 * started before them (handed to `ready`), both closed after.
 */
export function serveExampleRun(ready: (served: Served, sandbox: Sandbox) => void): void {
  let sandbox: Sandbox | undefined;
  let served: Served | undefined;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
    served = await serve(sharedExampleRun().runDir, sandbox);
    ready(served, sandbox);
  }, 90_000);
  afterAll(async () => {
    await served?.server.close();
    await sandbox?.close();
  });
}
