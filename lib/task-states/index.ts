// Tasks' initial states, stored once: each distinct base state of a run is written once as
// `states/<hash>.json` (its content hash), and a task names its base by that hash and carries only
// its own changes (the records it injects, its distractors) as a patch. Everything that reads tasks
// (rollouts, the filter's judge, export, the server, `eval rollouts`) resolves a task's initial
// state here, so a task's size does not grow with the size of the service's data.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { canonicalStringify, type JsonObject, sha256 } from "../../kernel/canonical-json.ts";
import { EnvscaleError } from "../../kernel/errors.ts";
import type { DomainState, Row } from "../contracts/domain-state.ts";
import type { StatePatch } from "../contracts/state-patch.ts";

export { type StatePatch, statePatchSchema } from "../contracts/state-patch.ts";

/** Base states by their content hash (artifact `task-states`, `states/<hash>.json`). */
export type TaskStates = Record<string, DomainState>;

/** What a task says of its initial state: inline (older runs), or a base state's hash and a patch. */
export interface TaskStateRef {
  id: string;
  initial_state?: DomainState | undefined;
  base_state?: string | undefined;
  state_patch?: StatePatch | undefined;
}

/** The content hash a base state is stored under (sha-256 of its canonical JSON, 24 hex digits). */
export function baseStateHash(state: DomainState): string {
  return sha256(canonicalStringify(state)).slice(0, 24);
}

/**
 * `base` with `patch` applied. Tables the patch leaves alone are the base's own objects, and
 * records it leaves alone are shared too: resolving a task costs what the task changes, not the
 * size of the data. Neither input is modified.
 */
export function applyStatePatch(base: DomainState, patch: StatePatch | undefined): DomainState {
  if (!patch || Object.keys(patch).length === 0) return base;
  const out: DomainState = { ...base };
  for (const [table, records] of Object.entries(patch)) {
    const rows: Record<string, Row> = { ...(base[table] ?? {}) };
    for (const [key, record] of Object.entries(records)) {
      if (record === null) delete rows[key];
      else rows[key] = record;
    }
    out[table] = rows;
  }
  return out;
}

/** A task's initial state resolved once per task object (the sandbox knows a state it was given by identity). */
const resolved = new WeakMap<object, JsonObject>();

/** The state a task's episodes start from. Throws E_INPUT_UNREADABLE when its base state is missing. */
export function initialStateOf(task: TaskStateRef, states: TaskStates): JsonObject {
  const known = resolved.get(task);
  if (known) return known;
  let state: DomainState;
  if (task.initial_state) state = task.initial_state;
  else {
    const base = task.base_state === undefined ? undefined : states[task.base_state];
    if (!base)
      throw new EnvscaleError(
        "E_INPUT_UNREADABLE",
        task.base_state === undefined
          ? `task ${task.id} has neither an initial_state nor a base_state`
          : `task ${task.id} starts from base state ${task.base_state}, which is not among the run's states/`,
        { hint: "re-run the tasks stage (`envscale run … --from tasks`) so that states/<hash>.json is written" },
      );
    state = applyStatePatch(base, task.state_patch);
  }
  resolved.set(task, state as JsonObject);
  return state as JsonObject;
}

/** The base states `tasks` name, read from `RUN/states/<hash>.json`. */
export async function readTaskStates(runDir: string, tasks: readonly TaskStateRef[]): Promise<TaskStates> {
  const hashes = [...new Set(tasks.flatMap((t) => (t.initial_state || t.base_state === undefined ? [] : [t.base_state])))].sort();
  const states: TaskStates = {};
  for (const hash of hashes) {
    const path = join(runDir, "states", `${hash}.json`);
    try {
      states[hash] = JSON.parse(await readFile(path, "utf8")) as DomainState;
    } catch (error) {
      throw new EnvscaleError(
        "E_INPUT_UNREADABLE",
        `${path} (a base state tasks.jsonl names) cannot be read: ${(error as Error).message}`,
        {
          hint: "copy the run directory whole: tasks.jsonl and states/ go together",
        },
      );
    }
  }
  return states;
}
