// What a domain's kept tasks cover (task-lint.json `coverage`): which of its write tools appear, how
// many distinct flows (tool sequences) and records they use, and how varied their instructions read.
import { canonicalStringify } from "../../kernel/canonical-json.ts";
import type { Task, TaskCoverage } from "../../lib/contracts/task.ts";

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

export function coverageOf(tasks: readonly Task[], access: ReadonlyMap<string, "read" | "write">): TaskCoverage {
  const writes = [...access.entries()]
    .filter(([, a]) => a === "write")
    .map(([t]) => t)
    .sort();
  const used = new Set(tasks.flatMap((t) => t.gold_calls.map((c) => c.tool)));
  const flows = new Map<string, { tools: string[]; tasks: number }>();
  for (const task of tasks) {
    const tools = task.gold_calls.map((c) => c.tool);
    const key = tools.join(" ");
    flows.set(key, { tools, tasks: (flows.get(key)?.tasks ?? 0) + 1 });
  }
  const records = new Set<string>();
  for (const task of tasks)
    for (const call of task.gold_calls)
      for (const value of Object.values(call.arguments))
        if (typeof value === "string" || typeof value === "number") records.add(String(value));
        else if (Array.isArray(value)) for (const v of value) records.add(canonicalStringify(v));
  const trigrams = new Set<string>();
  let trigramCount = 0;
  let words = 0;
  for (const task of tasks) {
    const w = task.instruction.toLowerCase().split(/\s+/).filter(Boolean);
    words += w.length;
    for (let i = 0; i + 2 < w.length; i++) {
      trigrams.add(`${w[i]} ${w[i + 1]} ${w[i + 2]}`);
      trigramCount += 1;
    }
  }
  const openings = new Set(tasks.map((t) => t.instruction.split(/(?<=[.!?])\s/)[0]?.replace(/[A-Z][a-z]+ [A-Z][a-z]+/g, "NAME")));
  return {
    write_tools: { all: writes, covered: writes.filter((t) => used.has(t)), missing: writes.filter((t) => !used.has(t)) },
    flows: {
      distinct: flows.size,
      top: [...flows.values()].sort((a, b) => b.tasks - a.tasks || a.tools.join().localeCompare(b.tools.join())).slice(0, 10),
    },
    records: records.size,
    calls_per_task: round(tasks.reduce((sum, t) => sum + t.gold_calls.length, 0) / Math.max(1, tasks.length), 2),
    read_only: tasks.filter((t) => t.read_only).length,
    instructions: {
      distinct: new Set(tasks.map((t) => t.instruction)).size,
      distinct_trigrams: round(trigrams.size / Math.max(1, trigramCount)),
      distinct_openings: openings.size,
      mean_words: round(words / Math.max(1, tasks.length), 1),
    },
  };
}
