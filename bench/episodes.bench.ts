// Benchmark: what an episode costs, from opening its environment to its last step.
//   npm run bench:episodes -- RUN_DIR [--sessions 1,64,512,2048] [--seconds 10] [--skip-server]
//
// One run, so ratios are measured side by side on the same machine state:
// 1. Opening an environment through the Sandbox API: cold (a module no process has seen), warm
//    (the same module again: the sandbox process reuses a closed environment's isolate), and
//    another domain (a second module, cold); then a reset to a task's state, whole episodes
//    (reset, gold calls, hash) back to back on one warm environment, and the memory an idle
//    session holds (512 environments open on one domain).
// 2. `envscale serve RUN_DIR` under 1, 64, 512 and 2,048 concurrent WebSocket sessions
//    (bench/server.bench.ts, one process per level): steps/s and latency percentiles.
import { execFileSync } from "node:child_process";
import { join, resolve } from "node:path";
import type { JsonObject } from "../kernel/canonical-json.ts";
import { loadRun, storedModule } from "../lib/episodes/run-directory.ts";
import { Sandbox } from "../sandbox/index.ts";
import { benchArgs } from "./support/args.ts";

const {
  args,
  flag,
  positional: runDir,
} = benchArgs("npm run bench:episodes -- RUN_DIR [--sessions 1,64,512,2048] [--seconds 10] [--skip-server]");
const levels = flag("--sessions", "1,64,512,2048").split(",").map(Number);
const seconds = Number(flag("--seconds", "10"));
const root = resolve(import.meta.dirname, "..");

const run = await loadRun(resolve(runDir));
const domains = Object.keys(run.environments).filter((d) => run.tasks.some((t) => t.domain === d));
if (domains.length < 2) throw new Error(`${runDir} needs tasks in at least two domains`);
const ms = (start: number) => performance.now() - start;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

const sandbox = await Sandbox.start({ processes: 1 });
const figures: [string, string][] = [];
try {
  const [first, second] = domains as [string, string];
  const taskOf = (domain: string) => run.tasks.find((t) => t.domain === domain) as (typeof run.tasks)[number];
  const moduleOf = async (domain: string) => {
    const module = await storedModule(run, domain);
    if (!module) throw new Error(`no stored module for ${domain}`);
    return module;
  };
  const a = await moduleOf(first);
  const b = await moduleOf(second);
  const task = taskOf(first);
  const options = { clock: task.clock, seed: task.seed };

  let start = performance.now();
  const cold = await sandbox.open(a, task.initial_state as JsonObject, options);
  const coldMs = ms(start);
  await cold.close();
  const warm: number[] = [];
  for (let i = 0; i < 20; i++) {
    start = performance.now();
    const env = await sandbox.open(a, task.initial_state as JsonObject, options);
    warm.push(ms(start));
    await env.close();
  }
  start = performance.now();
  const other = await sandbox.open(b, taskOf(second).initial_state as JsonObject, { clock: taskOf(second).clock });
  const otherMs = ms(start);
  await other.close();

  const env = await sandbox.open(a, task.initial_state as JsonObject, options);
  const resets: number[] = [];
  for (let i = 0; i < 50; i++) {
    start = performance.now();
    await env.reset(task.initial_state as JsonObject, options);
    resets.push(ms(start));
  }
  const calls = task.gold_calls.map((c) => ({ tool: c.tool, arguments: c.arguments }));
  let episodes = 0;
  start = performance.now();
  while (ms(start) < 2000) {
    await env.runEpisode({ state: task.initial_state as JsonObject, options, calls });
    episodes += 1;
  }
  const episodeSeconds = ms(start) / 1000;
  await env.close();

  // Idle sessions: environments open on their task's state, nothing running (a trainer's sessions
  // between steps). Memory per session from the sandbox process's own figures, collected first.
  const idleSessions = 512;
  const memory = async () => {
    const [stats] = await sandbox.stats({ collect: true });
    return stats as NonNullable<typeof stats>;
  };
  const before = await memory();
  const idle = await Promise.all(
    Array.from({ length: idleSessions }, (_, i) => sandbox.open(a, task.initial_state as JsonObject, { ...options, seed: i })),
  );
  await Promise.all(idle.map((session) => session.call(calls[0]?.tool ?? "", calls[0]?.arguments ?? {})));
  const after = await memory();
  await Promise.all(idle.map((session) => session.close()));
  const perSession = (bytes: number) => `${(bytes / idleSessions / 1024).toFixed(1)} KB`;

  figures.push(
    ["open, cold (new module)", `${coldMs.toFixed(1)} ms`],
    ["open, warm (same module again)", `${median(warm).toFixed(2)} ms median of 20`],
    ["open, another domain (cold)", `${otherMs.toFixed(1)} ms`],
    ["cold ÷ warm", `${(coldMs / Math.max(1e-3, median(warm))).toFixed(1)}×`],
    ["reset to a task's state", `${median(resets).toFixed(3)} ms median of 50`],
    [
      `whole episodes on one warm environment (${calls.length} calls each)`,
      `${(episodes / episodeSeconds).toFixed(0)} episodes/s, ${((episodes * calls.length) / episodeSeconds).toFixed(0)} calls/s`,
    ],
    [
      `memory per idle session (${idleSessions} open on one domain, one call each)`,
      `${perSession(after.rssBytes - before.rssBytes)} resident, ${perSession(after.heapBytes - before.heapBytes)} isolate heap; ${after.isolates - before.isolates} isolate(s) built for them`,
    ],
  );
} finally {
  await sandbox.close();
}

if (!args.includes("--skip-server")) {
  for (const sessions of levels) {
    const out = execFileSync(
      process.execPath,
      [join(root, "bench", "server.bench.ts"), resolve(runDir), "--sessions", String(sessions), "--seconds", String(seconds)],
      { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 24 },
    );
    const pick = (pattern: RegExp) => pattern.exec(out)?.[1] ?? "?";
    figures.push([
      `server, ${sessions} WebSocket session(s)`,
      `${pick(/\((\d+) steps\/s\)/)} steps/s, ${pick(/\(([\d.]+) episodes\/s\)/)} episodes/s, p50 ${pick(/p50 ([\d.]+) ms/)} ms, p99 ${pick(/p99 ([\d.]+) ms/)} ms, ${pick(/(\d+) errors/)} errors`,
    ]);
  }
}

console.log(`episodes benchmark (node ${process.version}), run ${runDir}: ${domains.length} domains with tasks`);
const width = Math.max(...figures.map(([name]) => name.length));
for (const [name, value] of figures) console.log(`${name.padEnd(width)}  ${value}`);
