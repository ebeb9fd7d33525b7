// Stage `filter` (AgentScaler step 10): validity control, environment state alignment, function-
// calling exact match, in that order; the funnel counts what each stage let through, in all and
// per domain. Trajectories with refused calls along the way are kept when the goal is met.
import { z } from "zod";
import { defineStage } from "../../kernel/stage.ts";
import { applyRules } from "../../lib/contracts/domain-rules.ts";
import type { DomainSchema } from "../../lib/contracts/domain-schema.ts";
import type { EnvironmentSpec } from "../../lib/contracts/environment-spec.ts";
import type { Counts, Funnel, KeptTrajectory, RejectedTrajectory } from "../../lib/contracts/judgement.ts";
import { filterStages, funnelSchema, keptTrajectorySchema, rejectedTrajectorySchema } from "../../lib/contracts/judgement.ts";
import type { Task } from "../../lib/contracts/task.ts";
import type { Trajectory } from "../../lib/contracts/trajectory.ts";
import { compileEnvironment, moduleCache } from "../../lib/episodes/environment-module.ts";
import { type JudgeContext, type JudgeOptions, judgeTrajectory, type Verdict } from "../../lib/episodes/judge/judge.ts";

declare module "../../kernel/stage.ts" {
  interface ArtifactTypes {
    "sft-candidates": KeptTrajectory[];
    "rejected-trajectories": RejectedTrajectory[];
    funnel: Funnel;
  }
}

export const filterOptions = z.object({
  maxTurns: z.number().int().min(1).default(30),
  repeatLimit: z.number().int().min(2).default(3),
  ngram: z.number().int().min(2).default(4),
  ngramRepeats: z.number().int().min(2).default(3),
  exactMatch: z.boolean().default(true),
});

export type FilterOptions = z.infer<typeof filterOptions>;

/** The judge's settings from the filter's options (the stage, `eval rollouts` and the benchmark judge alike). */
export function judgeOptionsOf(options: FilterOptions): JudgeOptions {
  const { exactMatch, ...validity } = options;
  return { validity, exactMatch };
}

const emptyCounts = (): Counts => ({ trajectories: 0, valid: 0, aligned: 0, exact_match: 0, kept: 0 });

/** "message 3: malformed call of x: …" → "malformed call" (the funnel groups reasons by kind). */
export function reasonKind(reason: string): string {
  const text = reason.replace(/^message \d+: /, "");
  if (text.startsWith("malformed call")) return "malformed call";
  if (text.startsWith("a call of")) return "unknown tool";
  if (text.startsWith("the same action")) return "repeated action";
  if (text.startsWith("degenerate text")) return "degenerate text";
  if (text.startsWith("the dialogue did not terminate")) return text;
  if (text.startsWith("final state differs")) return "final state differs";
  if (text.startsWith("gold call") && text.includes("never made")) return "gold call missing";
  if (text.startsWith("a call the task does not ask for")) return "extra call";
  if (text.startsWith("call ") && text.includes("expected")) return "call differs";
  return text.split(/[:(]/)[0]?.trim() || text;
}

export default defineStage({
  name: "filter",
  description: "three-stage filter: validity, environment state alignment, function-calling exact match; the funnel",
  version: "1",
  consumes: ["trajectories", "tasks", "task-states", "environments", "tool-modules", "schemas", "rules"],
  produces: ["sft-candidates", "rejected-trajectories", "funnel"],
  options: filterOptions,
  uses: ["sandbox"],
  artifacts: {
    "sft-candidates": { schema: z.array(keptTrajectorySchema), format: "jsonl", description: "trajectories that passed all three stages" },
    "rejected-trajectories": {
      schema: z.array(rejectedTrajectorySchema),
      format: "jsonl",
      description: "trajectories that failed a stage, with the stage, the reasons and the state diff",
    },
    funnel: {
      schema: funnelSchema,
      format: "json",
      description: "how many trajectories each filter stage let through",
      count: (f) => f.total.kept,
    },
  },
  summary: ({ funnel }) => {
    const t = funnel.total;
    return [
      `funnel: ${t.trajectories} trajectories → ${t.valid} valid → ${t.aligned} state-aligned → ${t.exact_match} exact match; ` +
        `${t.kept} kept (${funnel.kept_with_tool_errors} with refused calls along the way)`,
    ];
  },
  async run(ctx, inputs) {
    const sandbox = await ctx.services.get("sandbox");
    const tasks = new Map(inputs.tasks.map((t) => [t.id, t]));
    const spec = (domain: string) => inputs.environments[domain] as EnvironmentSpec;
    const judge: JudgeContext = {
      sandbox,
      spec,
      schema: (domain) => applyRules(inputs.schemas[domain] as DomainSchema, inputs.rules[domain]),
      module: moduleCache((domain) => compileEnvironment(sandbox, spec(domain), inputs["tool-modules"][domain] ?? "")),
      states: inputs["task-states"],
    };
    const options = judgeOptionsOf(ctx.options);
    const verdicts = await ctx.mapItems(
      inputs.trajectories,
      (t) => t.id,
      async (trajectory): Promise<Verdict> => {
        const task = tasks.get(trajectory.task_id);
        if (!task || !inputs.environments[trajectory.domain])
          return {
            passed: false,
            failed: "validity",
            reasons: [`task ${trajectory.task_id} is not in tasks.jsonl`],
            alignment: null,
            toolErrors: 0,
            rule: "a trajectory is judged against its task",
          };
        return judgeTrajectory(judge, task as Task, trajectory, options);
      },
      { label: "trajectories", concurrency: Math.max(ctx.concurrency, 16) },
    );

    const kept: KeptTrajectory[] = [];
    const rejected: RejectedTrajectory[] = [];
    const funnel: Funnel = {
      stages: ["rollouts", ...filterStages],
      total: emptyCounts(),
      domains: {},
      rejected: {},
      kept_with_tool_errors: 0,
      mistakes: {},
    };
    inputs.trajectories.forEach((trajectory: Trajectory, i) => {
      const verdict = verdicts[i] as Verdict;
      const rows = [funnel.total, (funnel.domains[trajectory.domain] ??= emptyCounts())];
      const reached = verdict.failed === null ? 3 : filterStages.indexOf(verdict.failed);
      for (const row of rows) {
        row.trajectories += 1;
        if (reached > 0) row.valid += 1;
        if (reached > 1) row.aligned += 1;
        if (reached > 2) row.exact_match += 1;
        if (verdict.passed) row.kept += 1;
      }
      const mistake = trajectory.mistake ?? "none";
      const outcome = verdict.failed ?? "kept";
      const planted = (funnel.mistakes[mistake] ??= {});
      planted[outcome] = (planted[outcome] ?? 0) + 1;
      if (verdict.passed) {
        if (verdict.toolErrors > 0) funnel.kept_with_tool_errors += 1;
        kept.push({
          ...trajectory,
          judgement: { state: verdict.alignment?.match === "exact" ? "exact" : "equivalent", tool_errors: verdict.toolErrors },
        });
        return;
      }
      const stage = verdict.failed as Verdict["failed"] & string;
      const byReason = (funnel.rejected[stage] ??= {});
      for (const kind of new Set(verdict.reasons.map(reasonKind))) byReason[kind] = (byReason[kind] ?? 0) + 1;
      rejected.push({
        id: trajectory.id,
        task_id: trajectory.task_id,
        domain: trajectory.domain,
        stage,
        reasons: verdict.reasons,
        diffs: (verdict.alignment?.diffs ?? []) as RejectedTrajectory["diffs"],
        trajectory,
      });
    });
    ctx.logger.info({ funnel: funnel.total }, `${kept.length} of ${inputs.trajectories.length} trajectories kept`);
    return { "sft-candidates": kept, "rejected-trajectories": rejected, funnel };
  },
});
