// `envscale eval rollouts RUN --k 4`: every task of a finished run rolled out k times (each attempt
// its own seed), each trajectory judged as the filter judges it; pass^k (all k succeed) and pass@k
// (at least one does) per domain. Offline, the scripted agent's seeded mistakes make attempts differ.
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { canonicalStringify } from "../../kernel/canonical-json.ts";
import { EnvscaleError } from "../../kernel/errors.ts";
import { Rng } from "../../kernel/rng.ts";
import { compose } from "./compose.ts";
import type { CliIo } from "./io.ts";
import { formatTable } from "./table.ts";

export interface EvalRolloutsFlags {
  k: number;
  json?: boolean;
  config?: string;
  seed?: number;
  llm?: string;
  concurrency?: number;
}

export interface DomainScore {
  tasks: number;
  /** Share of tasks all k attempts passed. */
  pass_hat_k: number;
  /** Share of tasks at least one attempt passed. */
  pass_at_k: number;
  /** Share of all attempts that passed. */
  pass_rate: number;
}

export interface RolloutEvaluation {
  k: number;
  agent: string;
  domains: Record<string, DomainScore>;
  overall: DomainScore;
}

/** pass^k and pass@k from per-task pass counts out of k. */
export function scores(passes: readonly number[], k: number): DomainScore {
  const n = Math.max(1, passes.length);
  const round = (x: number) => Number(x.toFixed(4));
  return {
    tasks: passes.length,
    pass_hat_k: round(passes.filter((p) => p === k).length / n),
    pass_at_k: round(passes.filter((p) => p > 0).length / n),
    pass_rate: round(passes.reduce((a, b) => a + b, 0) / (n * k)),
  };
}

export async function evaluateRollouts(runDir: string, flags: EvalRolloutsFlags): Promise<RolloutEvaluation> {
  const [{ loadRun }, { Rollouts, rolloutsOptions }, { filterOptions, judgeOptionsOf }, { judgeTrajectory }, { openLlm }] =
    await Promise.all([
      import("../../lib/episodes/run-directory.ts"),
      import("../../plugins/rollouts/index.ts"),
      import("../../plugins/filter/index.ts"),
      import("../../lib/episodes/judge/judge.ts"),
      import("./llm-providers.ts"),
    ]);
  const { config } = await compose(flags.config ? { config: flags.config } : {});
  const run = await loadRun(resolve(runDir));
  if (run.tasks.length === 0) throw new EnvscaleError("E_INPUT_UNREADABLE", `${runDir}/tasks.jsonl holds no task`);
  const rolloutOptions = rolloutsOptions.parse(config.stages?.rollouts ?? {});
  const filter = filterOptions.parse(config.stages?.filter ?? {});
  const seed = flags.seed ?? config.seed ?? 1;
  const { Sandbox } = await import("../../sandbox/index.ts");
  const controller = new AbortController();
  const llm = await openLlm(config, flags.llm, { runDir: run.runDir, seed, signal: controller.signal });
  const sandbox = await Sandbox.start({});
  try {
    const rollouts = new Rollouts(sandbox, llm, run.environments, run.sources, run.states, rolloutOptions);
    const judge = rollouts.judgeContext(run.schemas);
    const judging = judgeOptionsOf(filter);
    const rng = Rng.forRun(seed).fork("eval-rollouts");
    const jobs = run.tasks.flatMap((task) => Array.from({ length: flags.k }, (_, attempt) => ({ task, attempt })));
    const passed = new Map<string, number>();
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const job = jobs[next++] as (typeof jobs)[number];
        const trajectory = await rollouts.run(job.task, job.attempt, rng.fork(`${job.task.id}#${job.attempt}`), controller.signal);
        const verdict = await judgeTrajectory(judge, job.task, trajectory, judging);
        passed.set(job.task.id, (passed.get(job.task.id) ?? 0) + (verdict.passed ? 1 : 0));
      }
    };
    await Promise.all(Array.from({ length: flags.concurrency ?? rolloutOptions.inFlight }, worker));
    const byDomain = new Map<string, number[]>();
    for (const task of run.tasks) {
      const list = byDomain.get(task.domain) ?? [];
      list.push(passed.get(task.id) ?? 0);
      byDomain.set(task.domain, list);
    }
    const domains: Record<string, DomainScore> = {};
    for (const [domain, passes] of [...byDomain].sort(([a], [b]) => a.localeCompare(b))) domains[domain] = scores(passes, flags.k);
    return {
      k: flags.k,
      agent: llm.kind === "model" ? llm.model : "scripted",
      domains,
      overall: scores(
        run.tasks.map((t) => passed.get(t.id) ?? 0),
        flags.k,
      ),
    };
  } finally {
    controller.abort();
    await Promise.allSettled([sandbox.close(), llm.close()]);
  }
}

export async function evalRolloutsCommand(runDir: string, flags: EvalRolloutsFlags, io: CliIo): Promise<void> {
  const result = await evaluateRollouts(runDir, flags);
  const out = join(resolve(runDir), "eval");
  await mkdir(out, { recursive: true });
  await writeFile(join(out, `rollouts-k${flags.k}.json`), `${canonicalStringify(result, 2)}\n`);
  if (flags.json) {
    io.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const row = (name: string, s: DomainScore) => [
    name,
    String(s.tasks),
    s.pass_hat_k.toFixed(3),
    s.pass_at_k.toFixed(3),
    s.pass_rate.toFixed(3),
  ];
  const rows = [...Object.entries(result.domains).map(([d, s]) => row(d, s)), row("all", result.overall)];
  io.stdout.write(`${formatTable(["domain", "tasks", `pass^${flags.k}`, `pass@${flags.k}`, "pass rate"], rows, [1, 2, 3, 4])}\n`);
  io.stdout.write(`agent: ${result.agent}; written to ${join(out, `rollouts-k${flags.k}.json`)}\n`);
}
