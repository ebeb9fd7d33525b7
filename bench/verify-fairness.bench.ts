// Benchmark: how long one session's steps wait while other clients send large /verify requests.
//   node bench/verify-fairness.bench.ts RUN_DIR [--calls 256] [--verifiers 2] [--seconds 8]
//                                       [--max-verify-calls N] [--max-body-mb N]
//
// `envscale serve` runs in its own process with one sandbox process (the two limit flags are passed
// on to it when given). This process steps one episode over WebSocket back to back (list_tools and a
// gold call of its task), first alone, then while `verifiers` client processes each send /verify
// requests of `calls` calls back to back (in processes of their own, so that building and sending
// their bodies does not slow this one). Reported: the step latency (p50, p99, max) alone and beside
// the verifies, and the verifies' answers (by status).
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { benchArgs } from "./support/args.ts";
import { startServe } from "./support/serve-process.ts";

const { flag, positional: runDir } = benchArgs(
  "node bench/verify-fairness.bench.ts RUN_DIR [--calls 256] [--verifiers 2] [--seconds 8] [--max-verify-calls N] [--max-body-mb N]",
);
const calls = Number(flag("--calls", "256"));
const verifiers = Number(flag("--verifiers", "2"));
const seconds = Number(flag("--seconds", "8"));

interface TaskLine {
  id: string;
  gold_calls: { tool: string; arguments: unknown }[];
}
const tasks = readFileSync(join(resolve(runDir), "tasks.jsonl"), "utf8")
  .split("\n")
  .filter(Boolean)
  .map((line) => JSON.parse(line) as TaskLine);
const task = tasks.find((t) => t.gold_calls.length > 0) as TaskLine;
const call = task.gold_calls[0] as TaskLine["gold_calls"][number];
const body = JSON.stringify({ task_id: task.id, calls: Array.from({ length: calls }, () => call) });

/** A verifier process: /verify back to back against `address` until stdin closes, then its answers by status on stdout. */
async function verifier(address: string): Promise<void> {
  const statuses: Record<string, number> = {};
  let running = true;
  process.stdin.on("close", () => {
    running = false;
  });
  process.stdin.resume();
  while (running) {
    // A body past the server's limit is refused from its length; the connection may close before it is all sent.
    const status = await fetch(`${address}/verify`, { method: "POST", headers: { "content-type": "application/json" }, body })
      .then(async (response) => {
        await response.text();
        return String(response.status);
      })
      .catch(() => "connection closed");
    statuses[status] = (statuses[status] ?? 0) + 1;
  }
  process.stdout.write(JSON.stringify(statuses));
}

const verifyAgainst = flag("--verify-against", "");
if (verifyAgainst) {
  await verifier(verifyAgainst);
  process.exit(0);
}

const serveFlags = ["--max-verify-calls", "--max-body-mb"].flatMap((name) => (flag(name, "") ? [name, flag(name, "")] : []));
const serve = await startServe(runDir, ["--processes", "1", ...serveFlags]);

const socket = new WebSocket(`${serve.address.replace(/^http/, "ws")}/ws`);
const waiting: ((data: unknown) => void)[] = [];
socket.addEventListener("message", (event) => waiting.shift()?.(JSON.parse(String(event.data))));
await new Promise((done) => socket.addEventListener("open", done, { once: true }));
const send = (message: unknown) =>
  new Promise((done) => {
    waiting.push(done);
    socket.send(JSON.stringify(message));
  });
await send({ type: "reset", data: { task_id: task.id } });

/** Step latencies (ms) for `ms` milliseconds of back-to-back steps. */
async function stepFor(ms: number): Promise<number[]> {
  const latencies: number[] = [];
  const until = performance.now() + ms;
  while (performance.now() < until) {
    for (const action of [{ type: "list_tools" }, { tool: call.tool, arguments: call.arguments }]) {
      const started = performance.now();
      await send({ type: "step", data: action });
      latencies.push(performance.now() - started);
    }
  }
  return latencies;
}

const summary = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const at = (q: number) => (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(1);
  return `p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${(sorted.at(-1) ?? 0).toFixed(1)} ms (${xs.length} steps)`;
};

await stepFor(1000);
const alone = await stepFor(seconds * 1000);
const children = Array.from({ length: verifiers }, () =>
  spawn(process.execPath, [import.meta.filename, runDir, "--calls", String(calls), "--verify-against", serve.address], {
    stdio: ["pipe", "pipe", "inherit"],
  }),
);
const answers = children.map(
  (child) =>
    new Promise<Record<string, number>>((done) => {
      let out = "";
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
      });
      child.once("exit", () => done(out ? JSON.parse(out) : {}));
    }),
);
const beside = await stepFor(seconds * 1000);
for (const child of children) child.stdin.end();
const statuses: Record<string, number> = {};
for (const answer of await Promise.all(answers))
  for (const [status, n] of Object.entries(answer)) statuses[status] = (statuses[status] ?? 0) + n;
socket.close();
await serve.stop();

console.log(
  `verify fairness (node ${process.version}): ${verifiers} client processes sending /verify of ${calls} calls (${(body.length / 1024 / 1024).toFixed(1)} MB)${serveFlags.length ? `; serve ${serveFlags.join(" ")}` : ""}`,
);
console.log(`steps alone           ${summary(alone)}`);
console.log(`steps beside verifies ${summary(beside)}`);
console.log(`verifies answered     ${JSON.stringify(statuses)}`);
