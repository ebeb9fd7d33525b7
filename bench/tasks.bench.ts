// Tasks at the scale of a real service: the seeded retail pack (16 tools, 500 users, 1,000 orders,
// 50 products), run end to end to `--tasks` tasks (1,000). Prints tasks per second, the
// dependencies stage's seconds, the whole run's seconds, bytes per task of tasks.jsonl, calls per
// task and the write tools covered.
//
//   node bench/tasks.bench.ts [--tasks 1000] [--seed 1] [--out DIR]

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchArgs } from "./support/args.ts";
import { writeRetailPack } from "./support/retail-pack.ts";

const { flag } = benchArgs("node bench/tasks.bench.ts [--tasks N] [--seed N] [--out DIR]", { positional: "optional" });
const tasks = Number(flag("--tasks", "1000"));
const seed = Number(flag("--seed", "1"));
const dir = mkdtempSync(join(tmpdir(), "envscale-tasks-bench-"));
const out = flag("--out", join(dir, "run"));
const pack = writeRetailPack(join(dir, "pack"), seed, { users: 500, orders: 1000, products: 50 });

/**
 * CPU seconds of this process's waited-for children and theirs (the run and its sandbox
 * processes), from /proc: the figure a loaded machine does not distort as it does wall time.
 */
function childCpuSeconds(): number | null {
  try {
    const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]?.split(" ") ?? [];
    // cutime and cstime: fields 16 and 17 of stat, 14 and 15 after the name.
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return null;
  }
}

const cpuBefore = childCpuSeconds();
const started = performance.now();
execFileSync(
  process.execPath,
  [
    "bin/envscale.ts",
    "run",
    pack.tools,
    "--data",
    pack.data,
    "--policy",
    pack.policy,
    "--out",
    out,
    "--tasks",
    String(tasks),
    "--seed",
    String(seed),
  ],
  { stdio: ["ignore", "ignore", "inherit"] },
);
const total = (performance.now() - started) / 1000;
const cpuAfter = childCpuSeconds();
const cpu = cpuBefore !== null && cpuAfter !== null ? cpuAfter - cpuBefore : null;
const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")) as { stages: Record<string, { wall_ms?: number }> };
const lines = readFileSync(join(out, "tasks.jsonl"), "utf8").split("\n").filter(Boolean);
const kept = lines.map((l) => JSON.parse(l) as { gold_calls: unknown[] });
const lint = JSON.parse(readFileSync(join(out, "task-lint.json"), "utf8")) as {
  coverage?: Record<
    string,
    { write_tools: { all: string[]; covered: string[] }; instructions: { distinct: number; distinct_trigrams: number } }
  >;
  dropped: Record<string, number>;
};
const coverage = Object.values(lint.coverage ?? {});
const tasksSeconds = (manifest.stages.tasks?.wall_ms ?? 0) / 1000;
const figures = {
  tasks: kept.length,
  tasks_per_second: Number((kept.length / tasksSeconds).toFixed(2)),
  tasks_stage_seconds: Number(tasksSeconds.toFixed(1)),
  dependencies_seconds: Number(((manifest.stages.dependencies?.wall_ms ?? 0) / 1000).toFixed(1)),
  total_seconds: Number(total.toFixed(1)),
  /** CPU seconds the whole run took (all its processes), and the wall time that is on 2 idle cores. */
  cpu_seconds: cpu === null ? null : Number(cpu.toFixed(1)),
  cpu_seconds_per_task: cpu === null ? null : Number((cpu / Math.max(1, kept.length)).toFixed(3)),
  load_average: Number((await import("node:os")).loadavg()[0]?.toFixed(1)),
  bytes_per_task: Math.round(statSync(join(out, "tasks.jsonl")).size / Math.max(1, kept.length)),
  calls_per_task: Number((kept.reduce((sum, t) => sum + t.gold_calls.length, 0) / Math.max(1, kept.length)).toFixed(2)),
  write_tools_covered: `${coverage.reduce((s, c) => s + c.write_tools.covered.length, 0)}/${coverage.reduce((s, c) => s + c.write_tools.all.length, 0)}`,
  distinct_instructions: coverage.reduce((s, c) => s + c.instructions.distinct, 0),
  distinct_trigrams: coverage[0]?.instructions.distinct_trigrams,
  dropped: lint.dropped,
  stages_seconds: Object.fromEntries(Object.entries(manifest.stages).map(([k, v]) => [k, Number(((v.wall_ms ?? 0) / 1000).toFixed(1))])),
  run: out,
};
console.log(JSON.stringify(figures, null, 2));
