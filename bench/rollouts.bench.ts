// Benchmark: offline rollouts and their judgement on a finished run, at several levels of concurrency.
//   node bench/rollouts.bench.ts RUN_DIR [--tasks N] [--in-flight 1,8,32,128] [--processes P]
//
// Each level rolls out the same tasks (scripted user and agent, seeded mistakes) and then judges
// every trajectory as the filter does (a replay on a fresh environment). It prints trajectories/s,
// sandbox calls/s, and the event loop's delay while it ran (p50/p99/max, from perf_hooks): the
// sandbox work happens in the sandbox processes, so the loop should stay responsive.
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { Rng } from "../kernel/rng.ts";
import type { Trajectory } from "../lib/contracts/trajectory.ts";
import { judgeTrajectory } from "../lib/episodes/judge/judge.ts";
import { loadRun } from "../lib/episodes/run-directory.ts";
import { OfflineLlm } from "../lib/llm/providers/offline.ts";
import { filterOptions, judgeOptionsOf } from "../plugins/filter/index.ts";
import { Rollouts, rolloutsOptions } from "../plugins/rollouts/index.ts";
import { Sandbox } from "../sandbox/index.ts";

const args = process.argv.slice(2);
const flag = (name: string) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const runDir = args.find((a, i) => !a.startsWith("--") && !args[i - 1]?.startsWith("--"));
if (!runDir) {
  console.error("usage: node bench/rollouts.bench.ts RUN_DIR [--tasks N] [--in-flight 1,8,32,128] [--processes P]");
  process.exit(2);
}
const run = await loadRun(resolve(runDir));
const tasks = run.tasks.slice(0, Number(flag("--tasks") ?? run.tasks.length));
const levels = (flag("--in-flight") ?? "1,8,32,128").split(",").map(Number);
const processes = Number(flag("--processes") ?? availableParallelism());
const sandbox = await Sandbox.start({ processes });
const rollouts = new Rollouts(sandbox, new OfflineLlm(), run.environments, run.sources, run.states, rolloutsOptions.parse({}));
const judging = judgeOptionsOf(filterOptions.parse({}));
const judge = rollouts.judgeContext(run.schemas);
// Compile every module first: compilation is a one-off per domain, not rollout work.
await Promise.all([...new Set(tasks.map((t) => t.domain))].map((d) => rollouts.module(d)));

async function pool<T>(items: readonly T[], inFlight: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(inFlight, items.length) }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

console.log(`rollouts benchmark (node ${process.version}): ${tasks.length} tasks from ${runDir}, ${processes} sandbox processes`);
console.log("in flight  trajectories/s  sandbox calls/s  judged/s  loop delay p50/p99/max ms  kept");
for (const inFlight of levels) {
  const rng = Rng.forRun(1).fork("bench");
  const delay = monitorEventLoopDelay({ resolution: 5 });
  const callsBefore = sandbox.counters.calls;
  delay.enable();
  const started = performance.now();
  const trajectories: Trajectory[] = [];
  await pool(tasks, inFlight, async (task) => {
    trajectories.push(await rollouts.run(task, 0, rng.fork(task.id)));
  });
  const rolloutMs = performance.now() - started;
  const rolloutCalls = sandbox.counters.calls - callsBefore;
  const judgeStarted = performance.now();
  let kept = 0;
  const byId = new Map(tasks.map((t) => [t.id, t]));
  await pool(trajectories, inFlight, async (trajectory) => {
    const task = byId.get(trajectory.task_id);
    if (!task) return;
    const verdict = await judgeTrajectory(judge, task, trajectory, judging);
    if (verdict.passed) kept += 1;
  });
  const judgeMs = performance.now() - judgeStarted;
  delay.disable();
  const ms = (ns: number) => (ns / 1e6).toFixed(1);
  console.log(
    `${String(inFlight).padStart(9)}  ${(trajectories.length / (rolloutMs / 1000)).toFixed(0).padStart(14)}  ` +
      `${(rolloutCalls / (rolloutMs / 1000)).toFixed(0).padStart(15)}  ${(trajectories.length / (judgeMs / 1000)).toFixed(0).padStart(8)}  ` +
      `${`${ms(delay.percentile(50))}/${ms(delay.percentile(99))}/${ms(delay.max)}`.padStart(25)}  ${kept}`,
  );
}
await sandbox.close();
