// Task lint: every task is checked on a fresh environment before it is kept.
//   replay-mismatch:   the initial state or the gold calls do not hash to what the task says;
//   unknown-id:        a gold call names a record that is neither in the initial state nor made by
//                      an earlier gold call (an agent could never find it);
//   do-nothing-passes: an agent that makes no call and says nothing would earn the reward;
//   silent-reads-pass: an agent that makes the task's reads (and none of its writes) and tells the
//                      user nothing would earn it.
// Both baselines are judged as the reward judges an episode (state alignment for a task that
// writes, reads made and facts told for one that reads), so a task kept is one they fail.
//   recites-parameters: (a service's task) the instruction names a parameter or an id a person
//                      could not know, rather than saying what they want.
// Unknown ids are looked for before the replay: a call on a missing record is refused, and the
// more specific diagnosis is the useful one.

import type { JsonObject } from "../../kernel/canonical-json.ts";
import type { DomainSchema, ToolModel } from "../../lib/contracts/domain-schema.ts";
import type { DomainState } from "../../lib/contracts/domain-state.ts";
import type { DropReason, Task } from "../../lib/contracts/task.ts";
import { compareStates } from "../../lib/episodes/judge/alignment.ts";
import { informationProblems } from "../../lib/episodes/judge/judge.ts";
import { describeOutcome } from "../../lib/episodes/outcomes.ts";
import { applyStateChanges, type EpisodeResult, type SandboxEnvironment } from "../../sandbox/index.ts";

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

const words = (name: string) =>
  name
    .replace(/([a-z])([A-Z0-9])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    .toLowerCase();
const idLike = (name: string) => /(^|_|[a-z])(ids?|Ids?)$/.test(name);

/**
 * How an instruction recites what a person would not say, or null: a parameter's own name
 * (`payment_method_id`, "address 1", "item ids") or an internal id (one kept inside a record, such
 * as a stored card's or an order line's, rather than the key of a record people are given).
 */
export function recital(instruction: string, calls: readonly { arguments: Record<string, unknown> }[], state: DomainState): string | null {
  const text = instruction.toLowerCase();
  for (const call of calls)
    for (const [name, value] of Object.entries(call.arguments)) {
      if (name.includes("_") && text.includes(name.toLowerCase())) return `it names the parameter ${name}`;
      const spoken = words(name);
      if ((idLike(name) || /\d/.test(name)) && new RegExp(`\\b${spoken.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\b`).test(text))
        return `it names the parameter ${name} ("${spoken}")`;
      if (!idLike(name)) continue;
      for (const v of Array.isArray(value) ? value : [value]) {
        if (typeof v !== "string" && typeof v !== "number") continue;
        const id = String(v);
        const topLevel = Object.values(state).some((rows) => Object.hasOwn(rows, id));
        if (!topLevel && id.length >= 4 && instruction.includes(id))
          return `it states ${id}, an id kept inside a record that a person is never shown`;
      }
    }
  return null;
}

/** The state an episode left: its changes applied to its initial state, or (when it ran step by step) read back whole. */
async function finalState(
  env: SandboxEnvironment,
  state: JsonObject,
  options: { clock: string; seed: number },
  calls: Task["gold_calls"],
  run: EpisodeResult,
): Promise<JsonObject> {
  if (run.changes) return applyStateChanges(state, run.changes);
  return (await env.runEpisode({ state, options, calls, exportState: true })).state as JsonObject;
}

export async function lintTask(
  task: Pick<
    Task,
    "gold_calls" | "initial_state_hash" | "gold_state_hash" | "read_only" | "seed" | "clock" | "answer_facts" | "instruction"
  >,
  initialState: DomainState,
  env: SandboxEnvironment,
  schema: DomainSchema,
  models: ReadonlyMap<string, ToolModel>,
  /** A service's tasks are also read as a person would write them: no parameter names, no internal ids. */
  spoken?: { state: DomainState },
): Promise<LintResult> {
  const state = initialState as JsonObject;
  const options = { clock: task.clock, seed: task.seed };
  if (spoken) {
    const recited = recital(task.instruction, task.gold_calls, spoken.state);
    if (recited) return { ok: false, reason: "recites-parameters", detail: `the instruction ${recited}` };
  }
  const initial = await env.runEpisode({ state, options, calls: [] });
  if (initial.stateHash !== task.initial_state_hash)
    return {
      ok: false,
      reason: "replay-mismatch",
      detail: `the initial state hashes to ${initial.stateHash}, not ${task.initial_state_hash}`,
    };
  // Which records exist before each call: the initial state, then what the earlier calls left
  // (read back only when a call names a record the state before the last write lacks).
  let before = initialState;
  let readUpTo = 0;
  for (const [i, call] of task.gold_calls.entries()) {
    const model = models.get(call.tool);
    if (!model) return { ok: false, reason: "unknown-id", detail: `gold call ${i} names ${call.tool}, which the environment lacks` };
    for (const { name, table } of idParameters(model)) {
      const value = call.arguments[name];
      if (value === undefined || value === null) continue;
      if (!Object.hasOwn(before[table] ?? {}, String(value)) && readUpTo < i) {
        const prefix = await env.runEpisode({ state, options, calls: task.gold_calls.slice(0, i), exportState: true });
        before = prefix.state as DomainState;
        readUpTo = i;
      }
      if (!Object.hasOwn(before[table] ?? {}, String(value))) {
        const entity = schema.tables.find((t) => t.name === table)?.entity ?? table;
        return {
          ok: false,
          reason: "unknown-id",
          detail: `gold call ${i} ${call.tool}(${name}=${JSON.stringify(value)}) names no ${entity} of the initial state or of an earlier call`,
        };
      }
    }
  }
  // The gold state is read back only when a baseline is judged on it (a task that writes), as what it changed.
  const gold = await env.runEpisode({ state, options, calls: task.gold_calls, exportChanges: !task.read_only });
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
    // Doing nothing leaves the initial state, known here; reads that change nothing leave it too.
    const run =
      baseline.calls.length === 0
        ? { outcomes: [], stateHash: initial.stateHash }
        : await env.runEpisode({ state, options, calls: baseline.calls });
    const made = baseline.calls.filter((_, i) => run.outcomes[i]?.ok);
    let passes: boolean;
    if (task.read_only) passes = informationProblems(task, made, task.answer_facts ?? [], "").length === 0;
    else {
      const goldState = await finalState(env, state, options, task.gold_calls, gold);
      const after =
        run.stateHash === initial.stateHash
          ? state
          : await finalState(
              env,
              state,
              options,
              baseline.calls,
              await env.runEpisode({ state, options, calls: baseline.calls, exportChanges: true }),
            );
      passes = compareStates(schema, initialState, goldState as DomainState, after as DomainState, {
        gold: gold.stateHash,
        actual: run.stateHash,
      }).aligned;
    }
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
