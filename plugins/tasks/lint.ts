// Task lint: every task is checked on a fresh environment before it is kept.
//   replay-mismatch:   the initial state or the gold calls do not hash to what the task says;
//   unknown-id:        a gold call names a record that is neither in the initial state nor made by
//                      an earlier gold call (an agent could never find it);
//   do-nothing-passes: the gold calls leave the state as it was, though the task writes.
// Unknown ids are looked for before the replay: a call on a missing record is refused, and the
// more specific diagnosis is the useful one.

import type { DomainSchema, ToolModel } from "../../contracts/domain-schema.ts";
import type { DomainState } from "../../contracts/domain-state.ts";
import type { DropReason, Task } from "../../contracts/task.ts";
import { describeOutcome } from "../../episodes/outcomes.ts";
import type { JsonObject } from "../../kernel/canonical-json.ts";
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
  task: Pick<Task, "gold_calls" | "initial_state" | "initial_state_hash" | "gold_state_hash" | "read_only" | "seed" | "clock">,
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
  const gold = await env.runEpisode({ state, options, calls: task.gold_calls });
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
  if (!task.read_only && initial.stateHash === gold.stateHash)
    return { ok: false, reason: "do-nothing-passes", detail: "the gold calls leave the state unchanged, so doing nothing would pass" };

  return { ok: true };
}
