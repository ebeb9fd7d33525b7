// Benchmark: concurrent WebSocket sessions against `envscale serve` on loopback.
//   node bench/server.bench.ts RUN_DIR [--sessions 256] [--seconds 20] [--processes P]
//
// The server runs in its own process (as it would for a trainer); this process opens `sessions`
// WebSocket connections at once, and each plays episodes back to back for `seconds`: reset, the
// task's gold calls, then ending the episode with the facts a read-only task asks for (so every
// episode is judged). Reported: steps/s (every message answered: resets, tool calls, ends),
// episodes/s, p50/p99/max latency of one message, and the rewards seen (every episode should score 1).
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { benchArgs } from "./support/args.ts";

const { flag, positional: runDir } = benchArgs("node bench/server.bench.ts RUN_DIR [--sessions 256] [--seconds 20] [--processes P]");
const sessions = Number(flag("--sessions", "256"));
const seconds = Number(flag("--seconds", "20"));
const processes = flag("--processes", "");

interface TaskLine {
  id: string;
  domain: string;
  gold_calls: { tool: string; arguments: unknown }[];
  /** What a read-only task's answer must state. */
  answer_facts?: { path: string; value: string | number }[];
}
const tasks = readFileSync(join(resolve(runDir), "tasks.jsonl"), "utf8")
  .split("\n")
  .filter(Boolean)
  .map((line) => JSON.parse(line) as TaskLine);

const root = resolve(import.meta.dirname, "..");
const server: ChildProcess = spawn(
  process.execPath,
  [
    join(root, "bin", "envscale.ts"),
    "serve",
    resolve(runDir),
    "--port",
    "0",
    "--max-sessions",
    String(sessions + 8),
    ...(processes ? ["--processes", processes] : []),
  ],
  { stdio: ["ignore", "pipe", "inherit"] },
);
const address = await new Promise<string>((done, fail) => {
  let out = "";
  server.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString();
    const found = /on (http:\/\/[^\s]+)/.exec(out);
    if (found?.[1]) done(found[1]);
  });
  server.once("exit", (code) => fail(new Error(`server exited (${code}) before listening`)));
});
const wsUrl = `${address.replace(/^http/, "ws")}/ws`;

const latencies: number[] = [];
let steps = 0;
let episodes = 0;
const rewards = new Map<number, number>();
let errors = 0;

/** One connection playing episodes back to back: the n-th is `next(n)`, until it gives none. */
async function play(next: (n: number) => TaskLine | undefined): Promise<void> {
  const socket = new WebSocket(wsUrl);
  const waiting: ((data: { type: string; data: { reward?: number | null } }) => void)[] = [];
  socket.addEventListener("message", (event) => waiting.shift()?.(JSON.parse(String(event.data))));
  await new Promise((done, fail) => {
    socket.addEventListener("open", done, { once: true });
    socket.addEventListener("error", fail, { once: true });
  });
  const send = (message: unknown) =>
    new Promise<{ type: string; data: { reward?: number | null } }>((done) => {
      const started = performance.now();
      waiting.push((answer) => {
        latencies.push(performance.now() - started);
        steps += 1;
        if (answer.type === "error") errors += 1;
        done(answer);
      });
      socket.send(JSON.stringify(message));
    });
  for (let n = 0, task = next(0); task; task = next(++n)) {
    await send({ type: "reset", data: { task_id: task.id } });
    for (const call of task.gold_calls) await send({ type: "step", data: { tool: call.tool, arguments: call.arguments } });
    const answer = (task.answer_facts ?? []).map((fact) => `${fact.path}: ${fact.value}`).join("; ") || "done";
    const end = await send({ type: "step", data: { message: answer, end: true } });
    episodes += 1;
    const reward = end.data.reward ?? -1;
    rewards.set(reward, (rewards.get(reward) ?? 0) + 1);
  }
  socket.close();
}

/** Connection `index` plays the tasks in turn, from its own starting point, until `until`. */
const client = (index: number, until: number) =>
  play((n) => (performance.now() < until ? (tasks[(index * 7 + n) % tasks.length] as TaskLine) : undefined));
/** Each of `list`'s tasks once. */
const playOnce = (list: readonly TaskLine[]) => play((n) => list[n]);

try {
  // Warm-up, outside the measurement: one episode of every domain (its module compiled and its
  // isolate built once, as on a server that has been up a while), then 2 s of play. Opening cold is
  // measured by bench/episodes.bench.ts.
  const warm = Date.now();
  const firstOfDomain = [...new Map(tasks.map((task) => [task.domain, task])).values()];
  const lanes = Math.min(sessions, 16);
  await Promise.all(Array.from({ length: lanes }, (_, lane) => playOnce(firstOfDomain.filter((_, i) => i % lanes === lane))));
  await Promise.all(Array.from({ length: lanes }, (_, i) => client(i, performance.now() + 2_000)));
  latencies.length = 0;
  steps = 0;
  episodes = 0;
  rewards.clear();
  errors = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: sessions }, (_, i) => client(i, started + seconds * 1000)));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => (latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0).toFixed(1);
  console.log(
    `server benchmark (node ${process.version}): ${tasks.length} tasks from ${runDir}; warm-up ${((Date.now() - warm) / 1000).toFixed(1)} s`,
  );
  console.log(`sessions ${sessions} concurrent WebSocket connections, ${elapsed.toFixed(1)} s`);
  console.log(`steps    ${steps} (${(steps / elapsed).toFixed(0)} steps/s), ${errors} errors`);
  console.log(
    `episodes ${episodes} (${(episodes / elapsed).toFixed(1)} episodes/s), rewards ${JSON.stringify(Object.fromEntries(rewards))}`,
  );
  console.log(`latency  p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${(latencies.at(-1) ?? 0).toFixed(1)} ms`);
} finally {
  server.kill("SIGTERM");
}
