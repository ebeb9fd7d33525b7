// Function-calling exact match (AgentScaler's third filter): the agent's successful calls are the
// gold calls, names and arguments. Strict order for read-only tasks (the state cannot vouch for
// them); otherwise calls may come in any order except where one depends on another (a feed, or a
// write and another call on the same table), which must keep their gold order.

import { canonicalStringify } from "../../../kernel/canonical-json.ts";
import type { EnvironmentSpec } from "../../contracts/environment-spec.ts";
import type { Task } from "../../contracts/task.ts";

export interface MadeCall {
  tool: string;
  arguments: unknown;
}

export type MatchResult = { ok: true } | { ok: false; detail: string };

/** A call as text: its tool and its canonical arguments (two calls match when these are equal). */
export const signatureOf = (call: MadeCall) => `${call.tool} ${canonicalStringify(call.arguments ?? {})}`;

/** Pairs (i, j), i < j, of gold calls whose order matters. */
export function dependentPairs(task: Pick<Task, "gold_calls" | "feeds">, spec: EnvironmentSpec): [number, number][] {
  const tools = new Map(spec.tools.map((t) => [t.name, t]));
  const pairs: [number, number][] = [];
  const calls = task.gold_calls;
  for (let j = 0; j < calls.length; j++) {
    for (let i = 0; i < j; i++) {
      const a = tools.get(calls[i]?.tool ?? "");
      const b = tools.get(calls[j]?.tool ?? "");
      const fed = task.feeds.some((f) => f.from === i && f.call === j);
      const sharedWrite = a && b && a.table === b.table && (a.access === "write" || b.access === "write");
      if (fed || sharedWrite) pairs.push([i, j]);
    }
  }
  return pairs;
}

export function exactMatch(
  task: Pick<Task, "gold_calls" | "feeds" | "read_only">,
  made: readonly MadeCall[],
  spec: EnvironmentSpec,
): MatchResult {
  const gold = task.gold_calls.map(signatureOf);
  const agent = made.map(signatureOf);
  if (task.read_only) {
    const at = gold.findIndex((g, i) => agent[i] !== g);
    if (at >= 0) return { ok: false, detail: `call ${at}: expected ${gold[at]}, got ${agent[at] ?? "nothing"}` };
    if (agent.length > gold.length)
      return { ok: false, detail: `${agent.length - gold.length} call(s) beyond the gold sequence: ${agent[gold.length]}` };
    return { ok: true };
  }
  // Match each gold call to an agent call with the same signature, earliest first.
  const used = new Set<number>();
  const position: number[] = [];
  for (const [i, g] of gold.entries()) {
    const at = agent.findIndex((a, k) => !used.has(k) && a === g);
    if (at < 0) return { ok: false, detail: `gold call ${i} was never made: ${g}` };
    used.add(at);
    position.push(at);
  }
  const extra = agent.findIndex((_, k) => !used.has(k));
  if (extra >= 0) return { ok: false, detail: `a call the task does not ask for: ${agent[extra]}` };
  for (const [i, j] of dependentPairs(task, spec))
    if ((position[i] as number) > (position[j] as number))
      return {
        ok: false,
        detail: `gold call ${j} (${task.gold_calls[j]?.tool}) came before call ${i} (${task.gold_calls[i]?.tool}) it depends on`,
      };
  return { ok: true };
}
