// The three-stage judgement of one trajectory against its task, shared by the filter stage,
// `eval rollouts` and the server's reward. The agent's calls are replayed on a fresh environment
// (execution is deterministic), so the verdict does not trust what the trajectory says of itself.

import type { DomainSchema } from "../../contracts/domain-schema.ts";
import type { DomainState } from "../../contracts/domain-state.ts";
import type { EnvironmentSpec } from "../../contracts/environment-spec.ts";
import type { FilterStage } from "../../contracts/judgement.ts";
import type { Task } from "../../contracts/task.ts";
import type { Trajectory } from "../../contracts/trajectory.ts";
import type { JsonObject } from "../../kernel/canonical-json.ts";
import type { CompiledModule, Sandbox } from "../../sandbox/index.ts";
import { parseArguments } from "../task-episode.ts";
import { type Alignment, compareStates } from "./alignment.ts";
import { exactMatch, type MadeCall } from "./exact-match.ts";
import { type ValidityRules, validityProblems } from "./validity.ts";

export interface Verdict {
  passed: boolean;
  /** The first stage it failed, or null. */
  failed: FilterStage | null;
  reasons: string[];
  alignment: Alignment | null;
  /** Calls that the environment refused along the way (kept when the goal is met). */
  toolErrors: number;
}

export interface JudgeOptions {
  validity: ValidityRules;
  /** Apply the exact-match stage (AgentScaler does; a reward may be state alignment alone). */
  exactMatch: boolean;
}

export interface JudgeContext {
  sandbox: Sandbox;
  module(domain: string): Promise<CompiledModule>;
  spec(domain: string): EnvironmentSpec;
  schema(domain: string): Pick<DomainSchema, "tables">;
}

/** The calls a trajectory made, in order (unparsable ones left out: they never reached a tool). */
export function callsMade(trajectory: Pick<Trajectory, "messages">): MadeCall[] {
  return trajectory.messages.flatMap((m) =>
    (m.tool_calls ?? []).flatMap((c) => {
      const parsed = parseArguments(c.function.arguments);
      return parsed.ok ? [{ tool: c.function.name, arguments: parsed.value }] : [];
    }),
  );
}

/** A task's starting point, for a replay. */
const episodeOf = (task: Task) => ({ state: task.initial_state as JsonObject, options: { clock: task.clock, seed: task.seed } });

interface Gold {
  state: DomainState;
  hash: string;
}

/** Gold final states by task: deterministic, so computed once per task object. */
const golds = new WeakMap<Task, Promise<Gold>>();

function goldOf(ctx: JudgeContext, task: Task): Promise<Gold> {
  let gold = golds.get(task);
  if (!gold) {
    gold = (async () => {
      const env = await ctx.sandbox.open(await ctx.module(task.domain), task.initial_state as JsonObject, {
        clock: task.clock,
        seed: task.seed,
      });
      try {
        const run = await env.runEpisode({ ...episodeOf(task), calls: task.gold_calls, exportState: true });
        return { state: run.state as DomainState, hash: run.stateHash };
      } finally {
        await env.close();
      }
    })();
    gold.catch(() => golds.delete(task));
    golds.set(task, gold);
  }
  return gold;
}

type CallsVerdict = Omit<Verdict, "failed" | "passed"> & { failed: FilterStage | null };

/**
 * State alignment and exact match of an episode that ended in `actual` (state and hash), having
 * made `made` calls of which those flagged in `succeeded` went through (validity aside).
 */
export async function judgeOutcome(
  ctx: JudgeContext,
  task: Task,
  actual: { state: DomainState; hash: string },
  made: readonly MadeCall[],
  succeeded: readonly boolean[],
  options: { exactMatch: boolean },
): Promise<CallsVerdict> {
  const gold = await goldOf(ctx, task);
  const toolErrors = succeeded.filter((ok) => !ok).length;
  const alignment = compareStates(ctx.schema(task.domain), task.initial_state as DomainState, gold.state, actual.state, {
    gold: gold.hash,
    actual: actual.hash,
  });
  if (!alignment.aligned) {
    const shown = alignment.diffs
      .slice(0, 3)
      .map(
        (d) =>
          `${d.table}.${d.key}${d.field ? `.${d.field}` : ""}: expected ${JSON.stringify(d.expected)}, got ${JSON.stringify(d.actual)}`,
      );
    return { failed: "state-alignment", reasons: [`final state differs from the gold state: ${shown.join("; ")}`], alignment, toolErrors };
  }
  if (options.exactMatch) {
    const match = exactMatch(
      task,
      made.filter((_, i) => succeeded[i]),
      ctx.spec(task.domain),
    );
    if (!match.ok) return { failed: "exact-match", reasons: [match.detail], alignment, toolErrors };
  }
  return { failed: null, reasons: [], alignment, toolErrors };
}

/** State alignment and exact match of calls made from a task's initial state, replayed on a fresh environment (validity aside). */
export async function judgeCalls(
  ctx: JudgeContext,
  task: Task,
  made: readonly MadeCall[],
  options: { exactMatch: boolean; finalStateHash?: string },
): Promise<CallsVerdict> {
  const env = await ctx.sandbox.open(await ctx.module(task.domain), task.initial_state as JsonObject, {
    clock: task.clock,
    seed: task.seed,
  });
  let actual: Awaited<ReturnType<typeof env.runEpisode>>;
  try {
    actual = await env.runEpisode({ ...episodeOf(task), calls: made, exportState: true });
  } finally {
    await env.close();
  }
  const succeeded = actual.outcomes.map((o) => o.ok);
  if (options.finalStateHash !== undefined && actual.stateHash !== options.finalStateHash)
    return {
      failed: "state-alignment",
      reasons: [`replaying the agent's calls gives state ${actual.stateHash}, not the ${options.finalStateHash} the trajectory reports`],
      alignment: null,
      toolErrors: succeeded.filter((ok) => !ok).length,
    };
  return judgeOutcome(ctx, task, { state: actual.state as DomainState, hash: actual.stateHash }, made, succeeded, options);
}

export async function judgeTrajectory(ctx: JudgeContext, task: Task, trajectory: Trajectory, options: JudgeOptions): Promise<Verdict> {
  const problems = validityProblems(trajectory, options.validity);
  if (problems.length > 0)
    return { passed: false, failed: "validity", reasons: problems, alignment: null, toolErrors: trajectory.tool_errors };
  const verdict = await judgeCalls(ctx, task, callsMade(trajectory), {
    exactMatch: options.exactMatch,
    finalStateHash: trajectory.final_state_hash,
  });
  return { ...verdict, passed: verdict.failed === null };
}
