// Fidelity of a synthesized environment to the service it stands for, measured as a judge would:
// a reference implementation (hand-written, the service's own) and the environment replay the same
// gold call sequences from the same data; call by call, does each go through or get refused alike,
// and task by task, does the environment change the records the reference changes, and leave them
// equal to the reference's?
//
// The reference gets the data exactly as its files hold it (lists stay lists, a single record stays
// a record); the environment gets it as `envscale call --state DATA` reads it, and its final state
// is turned back into the data's shape as `--state-out` writes it. Records are compared in that
// shape: `collection/key` for maps, `collection/index` for lists, `collection` for a single record.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { canonicalStringify, type JsonObject } from "../../kernel/canonical-json.ts";
import type { DomainState } from "../../lib/contracts/domain-state.ts";
import { inDataShape, readData } from "../../lib/data-pack/read.ts";
import type { CompiledModule, Sandbox } from "../../sandbox/index.ts";

export type Reference = Record<string, (db: Record<string, unknown>, args: Record<string, unknown>) => unknown>;

export interface GoldTask {
  id: string;
  calls: { tool: string; arguments: Record<string, unknown> }[];
}

export interface TaskFidelity {
  id: string;
  /** Per call: whether the reference and the environment agreed on going through. */
  agreed: boolean[];
  /** Records (`table/key`) each side changed. */
  referenceChanged: string[];
  changed: string[];
  /** Changed records whose final contents differ from the reference's. */
  differing: string[];
  /** Calls where they disagreed: the tool, and what each said. */
  disagreements: { tool: string; reference: string; environment: string }[];
  /** The changed records whose contents differ, as each side left them (to read what differs). */
  records: { id: string; reference: unknown; environment: unknown }[];
}

export interface Fidelity {
  calls: number;
  callsAgreed: number;
  /** Tasks whose reference run changed at least one record. */
  changingTasks: number;
  sameRecords: number;
  equalRecords: number;
  tasks: TaskFidelity[];
}

/** The data as its files hold it: a JSON file of collections, or a folder of `<collection>.json`. */
export function readRawData(path: string): Record<string, unknown> {
  if (!statSync(path).isDirectory()) return JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const file of readdirSync(path).sort())
    if (extname(file) === ".json") out[basename(file, ".json")] = JSON.parse(readFileSync(join(path, file), "utf8"));
  return out;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const text = (value: unknown) => canonicalStringify((value ?? null) as never);

/** A collection's records: by key for a map or a list, the whole value when it is one record of fields. */
function recordsOf(collection: unknown): Map<string, unknown> | null {
  if (Array.isArray(collection)) return new Map(collection.map((record, i) => [String(i), record]));
  if (isRecord(collection) && Object.values(collection).every(isRecord)) return new Map(Object.entries(collection));
  return null;
}

/** Records that differ between two states, as `collection/key` (or `collection` for a single record). */
export function changedRecords(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const [a, b] = [recordsOf(before[name]), recordsOf(after[name])];
    if (!a || !b) {
      if (text(before[name]) !== text(after[name])) out.push(name);
      continue;
    }
    for (const key of new Set([...a.keys(), ...b.keys()])) if (text(a.get(key)) !== text(b.get(key))) out.push(`${name}/${key}`);
  }
  return out.sort();
}

function recordAt(state: Record<string, unknown>, id: string): unknown {
  const [name, ...rest] = id.split("/");
  const collection = state[name as string];
  if (rest.length === 0) return collection;
  return recordsOf(collection)?.get(rest.join("/"));
}

export async function measureFidelity(options: {
  sandbox: Sandbox;
  /** The environment's module; without one (the run built none), every call is refused and nothing changes. */
  module: CompiledModule | undefined;
  reference: Reference;
  /** The data's path (a file or a folder), as given to `envscale run --data`. */
  dataPath: string;
  tasks: readonly GoldTask[];
  clock: string;
  /** How far the clock moves after each call (the environment.json's `clockStepMs`), when it says. */
  clockStepMs?: number;
  /** Catalog name → the module's function, as a run's environment.json maps them. */
  functionOf?: ReadonlyMap<string, string>;
}): Promise<Fidelity> {
  const { sandbox, module, reference, dataPath, tasks, clock } = options;
  const raw = readRawData(dataPath);
  // Data the environment cannot read gives no environment, as a run on it does.
  const read = module ? await readData(dataPath) : { data: {}, lists: {}, singles: [] };
  const results: TaskFidelity[] = [];
  for (const task of tasks) {
    let refDb = structuredClone(raw);
    const refOutcomes = task.calls.map((call) => {
      const tool = reference[call.tool];
      if (!tool) return { ok: false, text: `no tool ${call.tool}` };
      try {
        // A refused call changes nothing: run it on a copy, keep the copy when it went through.
        const draft = structuredClone(refDb);
        const result = tool(draft, structuredClone(call.arguments));
        refDb = draft;
        return { ok: true, text: JSON.stringify(result)?.slice(0, 120) ?? "" };
      } catch (error) {
        return { ok: false, text: (error as Error).message };
      }
    });
    let state: Record<string, unknown> = raw;
    const envOutcomes: { ok: boolean; text: string }[] = [];
    const env = module
      ? await sandbox.open(module, structuredClone(read.data) as JsonObject, {
          clock,
          seed: 1,
          ...(options.clockStepMs !== undefined ? { clockStepMs: options.clockStepMs } : {}),
        })
      : undefined;
    if (!env) for (const _ of task.calls) envOutcomes.push({ ok: false, text: "no environment" });
    else
      try {
        for (const call of task.calls) {
          const outcome = await env.call(options.functionOf?.get(call.tool) ?? call.tool, call.arguments);
          envOutcomes.push(
            outcome.ok
              ? { ok: true, text: JSON.stringify(outcome.result)?.slice(0, 120) ?? "" }
              : { ok: false, text: `${outcome.error.code}: ${outcome.error.message}` },
          );
        }
        state = inDataShape((await env.state()) as DomainState, read, read.data);
      } finally {
        await env.close();
      }
    const referenceChanged = changedRecords(raw, refDb);
    const changed = changedRecords(raw, state);
    const differing = referenceChanged.filter((id) => text(recordAt(refDb, id)) !== text(recordAt(state, id)));
    const agreed = task.calls.map((_, i) => refOutcomes[i]?.ok === envOutcomes[i]?.ok);
    results.push({
      id: task.id,
      agreed,
      referenceChanged,
      changed,
      differing,
      records: differing.map((id) => ({ id, reference: recordAt(refDb, id), environment: recordAt(state, id) })),
      disagreements: task.calls
        .map((call, i) => ({
          tool: call.tool,
          reference: refOutcomes[i]?.text ?? "",
          environment: envOutcomes[i]?.text ?? "",
          agree: agreed[i],
        }))
        .filter((d) => !d.agree)
        .map(({ agree: _a, ...d }) => d),
    });
  }
  const changing = results.filter((r) => r.referenceChanged.length > 0);
  return {
    calls: results.reduce((n, r) => n + r.agreed.length, 0),
    callsAgreed: results.reduce((n, r) => n + r.agreed.filter(Boolean).length, 0),
    changingTasks: changing.length,
    sameRecords: changing.filter((r) => text(r.referenceChanged) === text(r.changed)).length,
    equalRecords: changing.filter((r) => text(r.referenceChanged) === text(r.changed) && r.differing.length === 0).length,
    tasks: results,
  };
}
