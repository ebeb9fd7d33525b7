// Fidelity of a synthesized environment to the service it stands for, measured as a judge would:
// a reference implementation (hand-written, the service's own) and the environment replay the same
// gold call sequences from the same data; call by call, does each go through or get refused alike,
// and task by task, does the environment change the records the reference changes, and leave them
// equal to the reference's?
import { canonicalStringify, type JsonObject } from "../../kernel/canonical-json.ts";
import type { CompiledModule, Sandbox } from "../../sandbox/index.ts";

export type Reference = Record<string, (db: Record<string, Record<string, unknown>>, args: Record<string, unknown>) => unknown>;

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

/** Records that differ between two states, as `table/key`. */
export function changedRecords(before: Record<string, Record<string, unknown>>, after: Record<string, Record<string, unknown>>): string[] {
  const out: string[] = [];
  for (const table of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const a = before[table] ?? {};
    const b = after[table] ?? {};
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)]))
      if (canonicalStringify((a[key] ?? null) as never) !== canonicalStringify((b[key] ?? null) as never)) out.push(`${table}/${key}`);
  }
  return out.sort();
}

export async function measureFidelity(options: {
  sandbox: Sandbox;
  module: CompiledModule;
  reference: Reference;
  data: JsonObject;
  tasks: readonly GoldTask[];
  clock: string;
}): Promise<Fidelity> {
  const { sandbox, module, reference, data, tasks, clock } = options;
  const results: TaskFidelity[] = [];
  for (const task of tasks) {
    const refDb = structuredClone(data) as Record<string, Record<string, unknown>>;
    const refOutcomes = task.calls.map((call) => {
      const tool = reference[call.tool];
      if (!tool) return { ok: false, text: `no tool ${call.tool}` };
      try {
        // A refused call changes nothing: run it on a copy, keep the copy when it went through.
        const draft = structuredClone(refDb);
        const result = tool(draft, structuredClone(call.arguments));
        for (const key of Object.keys(refDb)) delete refDb[key];
        Object.assign(refDb, draft);
        return { ok: true, text: JSON.stringify(result)?.slice(0, 120) ?? "" };
      } catch (error) {
        return { ok: false, text: (error as Error).message };
      }
    });
    const env = await sandbox.open(module, structuredClone(data), { clock, seed: 1 });
    let state: Record<string, Record<string, unknown>>;
    const envOutcomes: { ok: boolean; text: string }[] = [];
    try {
      for (const call of task.calls) {
        const outcome = await env.call(call.tool, call.arguments);
        envOutcomes.push(
          outcome.ok
            ? { ok: true, text: JSON.stringify(outcome.result)?.slice(0, 120) ?? "" }
            : { ok: false, text: `${outcome.error.code}: ${outcome.error.message}` },
        );
      }
      state = (await env.state()) as Record<string, Record<string, unknown>>;
    } finally {
      await env.close();
    }
    const initial = data as Record<string, Record<string, unknown>>;
    const referenceChanged = changedRecords(initial, refDb);
    const changed = changedRecords(initial, state);
    const differing = referenceChanged.filter((id) => {
      const [table, key] = id.split("/") as [string, string];
      return canonicalStringify((refDb[table]?.[key] ?? null) as never) !== canonicalStringify((state[table]?.[key] ?? null) as never);
    });
    const agreed = task.calls.map((_, i) => refOutcomes[i]?.ok === envOutcomes[i]?.ok);
    results.push({
      id: task.id,
      agreed,
      referenceChanged,
      changed,
      differing,
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
    sameRecords: changing.filter((r) => canonicalStringify(r.referenceChanged) === canonicalStringify(r.changed)).length,
    equalRecords: changing.filter(
      (r) => canonicalStringify(r.referenceChanged) === canonicalStringify(r.changed) && r.differing.length === 0,
    ).length,
    tasks: results,
  };
}
