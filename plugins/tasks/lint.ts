// Task lint: every task is checked on a fresh environment before it is kept.
//   replay-mismatch:   the initial state or the gold calls do not hash to what the task says;
//   unknown-id:        a gold call names a record that is neither in the initial state nor made by
//                      an earlier gold call (an agent could never find it);
//   do-nothing-passes: an agent that makes no call and says nothing would earn the reward;
//   silent-reads-pass: an agent that makes the task's reads (and none of its writes) and tells the
//                      user nothing would earn it.
// Both baselines are judged as the reward judges an episode (state alignment for a task that
// writes, reads made and facts told for one that reads), so a task kept is one they fail.
// Unknown ids are looked for before the replay: a call on a missing record is refused, and the
// more specific diagnosis is the useful one.

import type { JsonObject } from "../../kernel/canonical-json.ts";
import type { DomainSchema, ToolModel } from "../../lib/contracts/domain-schema.ts";
import type { DomainState } from "../../lib/contracts/domain-state.ts";
import type { DropReason, Task } from "../../lib/contracts/task.ts";
import { compareStates } from "../../lib/episodes/judge/alignment.ts";
import { informationProblems } from "../../lib/episodes/judge/judge.ts";
import { describeOutcome } from "../../lib/episodes/outcomes.ts";
import type { SandboxEnvironment } from "../../sandbox/index.ts";

export type LintResult = { ok: true } | { ok: false; reason: DropReason; detail: string };

/** Parameters that must name an existing record when the call is made. */
function idParameters(model: ToolModel): { name: string; table: string }[] {
  return model.parameters
    .filter(
      (p) =>
        p.role === "reference" ||
        p.role === "source" ||
        (p.role === "key" && model.operation !== "create" && model.operation !== "upsert" && model.operation !== "list"),
    )
    .map((p) => ({ name: p.name, table: p.table ?? model.table }));
}

export async function lintTask(
  task: Pick<
    Task,
    "gold_calls" | "initial_state" | "initial_state_hash" | "gold_state_hash" | "read_only" | "seed" | "clock" | "answer_facts"
  >,
  env: SandboxEnvironment,
  schema: DomainSchema,
  models: ReadonlyMap<string, ToolModel>,
): Promise<LintResult> {
  const state = task.initial_state as JsonObject;
  const options = { clock: task.clock, seed: task.seed };
  const initial = await env.runEpisode({ state, options, calls: [] });
  if (initial.stateHash !== task.initial_state_hash)
    return {
      ok: false,
      reason: "replay-mismatch",
      detail: `the initial state hashes to ${initial.stateHash}, not ${task.initial_state_hash}`,
    };
  // Which records exist before each call: the initial state, then what the earlier calls left.
  let before = task.initial_state as DomainState;
  for (const [i, call] of task.gold_calls.entries()) {
    const model = models.get(call.tool);
    if (!model) return { ok: false, reason: "unknown-id", detail: `gold call ${i} names ${call.tool}, which the environment lacks` };
    for (const { name, table } of idParameters(model)) {
      const value = call.arguments[name];
      if (value === undefined || value === null) continue;
      if (!Object.hasOwn(before[table] ?? {}, String(value))) {
        const entity = schema.tables.find((t) => t.name === table)?.entity ?? table;
        return {
          ok: false,
          reason: "unknown-id",
          detail: `gold call ${i} ${call.tool}(${name}=${JSON.stringify(value)}) names no ${entity} of the initial state or of an earlier call`,
        };
      }
    }
    if (i < task.gold_calls.length - 1 && model.access === "write") {
      const prefix = await env.runEpisode({ state, options, calls: task.gold_calls.slice(0, i + 1), exportState: true });
      before = prefix.state as DomainState;
    }
  }
  const gold = await env.runEpisode({ state, options, calls: task.gold_calls, exportState: true });
  const refused = gold.outcomes.findIndex((o) => !o.ok);
  if (refused >= 0)
    return {
      ok: false,
      reason: "replay-mismatch",
      detail: `gold call ${refused} (${task.gold_calls[refused]?.tool}) was refused on replay: ${describeOutcome(gold.outcomes[refused] as never)}`,
    };
  if (gold.stateHash !== task.gold_state_hash)
    return {
      ok: false,
      reason: "replay-mismatch",
      detail: `replaying the gold calls gives ${gold.stateHash}, not ${task.gold_state_hash}`,
    };

  const baselines: { reason: DropReason; calls: Task["gold_calls"] }[] = [
    { reason: "do-nothing-passes", calls: [] },
    { reason: "silent-reads-pass", calls: task.gold_calls.filter((call) => models.get(call.tool)?.access !== "write") },
  ];
  for (const baseline of baselines) {
    const run = await env.runEpisode({ state, options, calls: baseline.calls, exportState: true });
    const made = baseline.calls.filter((_, i) => run.outcomes[i]?.ok);
    const passes = task.read_only
      ? informationProblems(task, made, task.answer_facts ?? [], "").length === 0
      : compareStates(schema, task.initial_state as DomainState, gold.state as DomainState, run.state as DomainState, {
          gold: gold.stateHash,
          actual: run.stateHash,
        }).aligned;
    if (passes)
      return {
        ok: false,
        reason: baseline.reason,
        detail:
          baseline.reason === "do-nothing-passes"
            ? "an agent that makes no call and says nothing would earn the reward"
            : `an agent that makes only the reads (${baseline.calls.map((c) => c.tool).join(", ") || "none"}) and tells the user nothing would earn the reward`,
      };
  }
  return { ok: true };
}
