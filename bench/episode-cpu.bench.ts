// Benchmark: CPU time per whole episode (reset, a task's gold calls, state hash) through one sandbox
// process, host and sandbox process apart. On a shared machine wall-clock rates move with the
// neighbours' load; CPU time much less, so this is the figure to compare two versions by (run it
// in each checkout, alternating).
//   node bench/episode-cpu.bench.ts RUN_DIR [--episodes 3000]
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { JsonObject } from "../kernel/canonical-json.ts";
import { loadRun, storedModule } from "../lib/episodes/run-directory.ts";
import { Sandbox } from "../sandbox/index.ts";
import { benchArgs } from "./support/args.ts";

const { flag, positional: runDir } = benchArgs("node bench/episode-cpu.bench.ts RUN_DIR [--episodes 3000]");
const episodes = Number(flag("--episodes", "3000"));

const run = await loadRun(resolve(runDir));
const task = run.tasks.find((t) => t.domain in run.environments);
if (!task) throw new Error(`${runDir} has no task with an environment`);
const module = await storedModule(run, task.domain);
if (!module) throw new Error(`no stored module for ${task.domain}`);
const state = task.initial_state as JsonObject;
const options = { clock: task.clock, seed: task.seed };
const calls = task.gold_calls.map((c) => ({ tool: c.tool, arguments: c.arguments }));

/** CPU time of a process, µs, from /proc (Linux; clock ticks of 10 ms). */
const processCpu = (pid: number) => {
  const fields = (readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1] as string).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
};
const hostCpu = () => {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
};

const sandbox = await Sandbox.start({ processes: 1 });
try {
  const pid = sandbox.pids()[0] as number;
  const env = await sandbox.open(module, state, options);
  for (let i = 0; i < 300; i++) await env.runEpisode({ state, options, calls });
  const host = hostCpu();
  const child = processCpu(pid);
  const started = performance.now();
  for (let i = 0; i < episodes; i++) await env.runEpisode({ state, options, calls });
  const hostUs = (hostCpu() - host) / episodes;
  const childUs = (processCpu(pid) - child) / episodes;
  const wallUs = ((performance.now() - started) * 1000) / episodes;
  await env.close();
  console.log(
    `CPU per whole episode (${calls.length} calls, ${episodes} episodes): ${(hostUs + childUs).toFixed(0)} µs ` +
      `(host ${hostUs.toFixed(0)} µs, sandbox process ${childUs.toFixed(0)} µs); wall ${wallUs.toFixed(0)} µs`,
  );
} finally {
  await sandbox.close();
}
