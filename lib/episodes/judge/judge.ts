// The three-stage judgement of one trajectory against its task, shared by the filter stage,
// `eval rollouts` and the server's reward. The agent's calls are replayed on a fresh environment
// (execution is deterministic), so the verdict does not trust what the trajectory says of itself.
//
// The outcome a task asks for decides its second stage. A task that writes succeeds when the final
// database equals the gold one (generated ids and timestamps aside). A task that only reads leaves
// the database as it was, so the state cannot tell success from doing nothing: it succeeds when the
// reads it names were made and the facts the answering read returns reached the user (facts.ts).

import type { JsonObject, JsonValue } from "../../../kernel/canonical-json.ts";
import {
  applyStateChanges,
  type CallOutcome,
  type CompiledModule,
  type EpisodeResult,
  type Sandbox,
  type SandboxEnvironment,
} from "../../../sandbox/index.ts";
import type { DomainSchema } from "../../contracts/domain-schema.ts";
import type { DomainState } from "../../contracts/domain-state.ts";
import type { EnvironmentSpec } from "../../contracts/environment-spec.ts";
import type { FilterStage } from "../../contracts/judgement.ts";
import type { Task } from "../../contracts/task.ts";
import type { Trajectory } from "../../contracts/trajectory.ts";
import { initialStateOf, type TaskStates } from "../../task-states/index.ts";
import { parseArguments } from "../task-episode.ts";
import { type Alignment, compareStates } from "./alignment.ts";
import { exactMatch, type MadeCall, signatureOf } from "./exact-match.ts";
import { type AnswerFact, answerFacts, describeFact, statesValue } from "./facts.ts";
import { type ValidityRules, validityProblems } from "./validity.ts";

export interface Verdict {
  passed: boolean;
  /** The first stage it failed, or null. */
  failed: FilterStage | null;
  reasons: string[];
  alignment: Alignment | null;
  /** Calls that the environment refused along the way (kept when the goal is met). */
  toolErrors: number;
  /** What success means for this task, in a sentence (the rule the reward follows). */
  rule: string;
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
  /** The run's base states, which tasks' initial states are resolved from. */
  states: TaskStates;
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
const episodeOf = (ctx: JudgeContext, task: Task) => ({
  state: initialStateOf(task, ctx.states),
  options: { clock: task.clock, seed: task.seed },
});

/**
 * Calls replayed from a task's initial state, and the state they leave: what they changed applied
 * to the initial state (a service's whole data need not cross; untouched records stay the initial
 * state's own objects, which the comparison then skips), or read back whole when the episode ran
 * step by step.
 */
async function replay(
  env: SandboxEnvironment,
  episode: { state: JsonObject; options: { clock: string; seed: number } },
  calls: readonly MadeCall[],
): Promise<{ run: EpisodeResult; state: DomainState }> {
  const run = await env.runEpisode({ ...episode, calls, exportChanges: true });
  if (run.changes) return { run, state: applyStateChanges(episode.state, run.changes) as DomainState };
  const whole = await env.runEpisode({ ...episode, calls, exportState: true });
  return { run, state: whole.state as DomainState };
}

interface Gold {
  state: DomainState;
  hash: string;
  /** What each gold call returned (null for a refused one). */
  results: JsonValue[];
}

/** Gold final states by task: deterministic, so computed once per task object. */
const golds = new WeakMap<Task, Promise<Gold>>();

function goldOf(ctx: JudgeContext, task: Task): Promise<Gold> {
  let gold = golds.get(task);
  if (!gold) {
    gold = (async () => {
      const env = await ctx.sandbox.open(await ctx.module(task.domain), initialStateOf(task, ctx.states), {
        clock: task.clock,
        seed: task.seed,
      });
      try {
        const { run, state } = await replay(env, episodeOf(ctx, task), task.gold_calls);
        return { state, hash: run.stateHash, results: run.outcomes.map(resultOf) };
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

/** What a judged episode made of its task: its calls, which went through, and what it told the user. */
export interface EpisodeRecord {
  made: readonly MadeCall[];
  succeeded: readonly boolean[];
  /** Everything the agent said to the user (a read-only task's answer must state its facts). */
  answer: string;
}

/** The rule a task's reward follows, in a sentence (observation.verdict.rule, /verify's rule). */
export function ruleOf(task: Pick<Task, "read_only">, facts: readonly AnswerFact[], exact: boolean): string {
  const calls = exact ? "; and the calls equal the gold calls, names and arguments" : "";
  if (!task.read_only) return `the final database equals the gold state (generated ids and timestamps aside)${calls}`;
  return `a read-only task: the reads it asks for are made, and the answer to the user states ${facts.map(describeFact).join(", ") || "what they return"}${calls}`;
}

/** The facts a read-only task's answer must state: the task's own when it lists them, else read off the gold run. */
export function factsOf(task: Task, goldResults: readonly JsonValue[]): AnswerFact[] {
  return task.answer_facts ?? answerFacts(task, goldResults);
}

/**
 * Outcome and exact match of an episode that ended in `actual` (state, or how to fetch it, and hash), having made
 * `episode.made` calls of which those flagged in `episode.succeeded` went through (validity aside).
 */
export async function judgeOutcome(
  ctx: JudgeContext,
  task: Task,
  actual: { state: DomainState | (() => Promise<DomainState>); hash: string },
  episode: EpisodeRecord,
  options: { exactMatch: boolean },
): Promise<CallsVerdict> {
  const gold = await goldOf(ctx, task);
  const facts = task.read_only ? factsOf(task, gold.results) : [];
  const base = { toolErrors: episode.succeeded.filter((ok) => !ok).length, rule: ruleOf(task, facts, options.exactMatch) };
  // The state itself is read (and, when it is a function, fetched) only when the hashes differ.
  const sameHash = gold.hash === actual.hash;
  const state = typeof actual.state === "function" ? (sameHash ? gold.state : await actual.state()) : actual.state;
  const alignment = compareStates(ctx.schema(task.domain), initialStateOf(task, ctx.states) as DomainState, gold.state, state, {
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
    return { failed: "state-alignment", reasons: [`final state differs from the gold state: ${shown.join("; ")}`], alignment, ...base };
  }
  const made = episode.made.filter((_, i) => episode.succeeded[i]);
  if (task.read_only) {
    const problems = informationProblems(task, made, facts, episode.answer);
    if (problems.length > 0) return { failed: "state-alignment", reasons: problems, alignment, ...base };
  }
  if (options.exactMatch) {
    const match = exactMatch(task, made, ctx.spec(task.domain));
    if (!match.ok) return { failed: "exact-match", reasons: [match.detail], alignment, ...base };
  }
  return { failed: null, reasons: [], alignment, ...base };
}

/** Why a read-only episode did not deliver: a gold read it never made, a fact the user was never told. */
export function informationProblems(
  task: Pick<Task, "gold_calls">,
  made: readonly MadeCall[],
  facts: readonly AnswerFact[],
  answer: string,
): string[] {
  const problems: string[] = [];
  const madeSignatures = new Set(made.map(signatureOf));
  const missing = task.gold_calls.map(signatureOf).filter((call) => !madeSignatures.has(call));
  if (missing.length > 0) problems.push(`a read the task asks for was never made: ${missing[0]}`);
  const untold = facts.filter((fact) => !statesValue(answer, fact.value));
  if (untold.length > 0)
    problems.push(`the answer to the user does not state ${untold.map(describeFact).join(", ")} (what the task's reads return)`);
  return problems;
}

/** Outcome and exact match of calls made from a task's initial state, replayed on a fresh environment (validity aside). */
export async function judgeCalls(
  ctx: JudgeContext,
  task: Task,
  made: readonly MadeCall[],
  options: { exactMatch: boolean; finalStateHash?: string; answer?: string },
): Promise<CallsVerdict> {
  const env = await ctx.sandbox.open(await ctx.module(task.domain), initialStateOf(task, ctx.states), {
    clock: task.clock,
    seed: task.seed,
  });
  let actual: Awaited<ReturnType<typeof env.runEpisode>>;
  let actualState: DomainState;
  try {
    ({ run: actual, state: actualState } = await replay(env, episodeOf(ctx, task), made));
  } finally {
    await env.close();
  }
  const succeeded = actual.outcomes.map((o) => o.ok);
  if (options.finalStateHash !== undefined && actual.stateHash !== options.finalStateHash) {
    const gold = await goldOf(ctx, task);
    return {
      failed: "state-alignment",
      reasons: [`replaying the agent's calls gives state ${actual.stateHash}, not the ${options.finalStateHash} the trajectory reports`],
      alignment: null,
      toolErrors: succeeded.filter((ok) => !ok).length,
      rule: ruleOf(task, task.read_only ? factsOf(task, gold.results) : [], options.exactMatch),
    };
  }
  return judgeOutcome(
    ctx,
    task,
    { state: actualState, hash: actual.stateHash },
    { made, succeeded, answer: options.answer ?? "" },
    options,
  );
}

/** Everything the assistant said in a dialogue, in order: what reached the user. */
export function answerOf(messages: readonly { role: string; content: string | null }[]): string {
  return messages
    .filter((m) => m.role === "assistant" && m.content)
    .map((m) => m.content)
    .join("\n");
}

export async function judgeTrajectory(ctx: JudgeContext, task: Task, trajectory: Trajectory, options: JudgeOptions): Promise<Verdict> {
  const problems = validityProblems(trajectory, options.validity);
  if (problems.length > 0) {
    const gold = await goldOf(ctx, task);
    const rule = ruleOf(task, task.read_only ? factsOf(task, gold.results) : [], options.exactMatch);
    return { passed: false, failed: "validity", reasons: problems, alignment: null, toolErrors: trajectory.tool_errors, rule };
  }
  const verdict = await judgeCalls(ctx, task, callsMade(trajectory), {
    exactMatch: options.exactMatch,
    finalStateHash: trajectory.final_state_hash,
    answer: answerOf(trajectory.messages),
  });
  return { ...verdict, passed: verdict.failed === null };
}

/** A call's result, or null for a refused call. */
function resultOf(outcome: CallOutcome): JsonValue {
  return outcome.ok ? outcome.result : null;
}
