// Outcomes of procedural tests, classified as ScaleEnv does: Success, Anticipated rejection (the
// tool refused on purpose, or the sandbox refused the arguments), Unexpected failure (a crash, a
// hang, memory, a result or state that is not JSON). Then: did the case get what it expected?

import type { JsonObject } from "../../kernel/canonical-json.ts";
import { valueIn } from "../../lib/domain-model/service-arguments.ts";
import type { Effect } from "../../lib/domain-model/valid-arguments.ts";
import type { Category } from "../../lib/episodes/outcomes.ts";
import { categorize, describeOutcome } from "../../lib/episodes/outcomes.ts";
import type { CallOutcome } from "../../sandbox/index.ts";
import type { TestCase } from "./cases.ts";

export interface CaseResult {
  id: string;
  kind: TestCase["kind"];
  category: Category;
  /** pass; fail (a defect of the tool); refused (a valid call refused: a defect only if every valid call is). */
  verdict: "pass" | "fail" | "refused";
  /** Why it failed or was refused. */
  message?: string;
}

type Tables = Record<string, Record<string, Record<string, unknown>> | undefined>;

function effectProblem(effect: Effect, before: Tables, after: Tables, result: unknown, stateChanged: boolean): string | null {
  switch (effect.kind) {
    case "changes-state":
      return stateChanged ? null : "a write tool succeeded but changed nothing";
    case "adds-record": {
      const was = Object.keys(before[effect.table] ?? {}).length;
      const is = Object.keys(after[effect.table] ?? {}).length;
      const count = effect.count ?? 1;
      return is === was + count
        ? null
        : `expected ${count === 1 ? "one new record" : `${count} new records`} in ${effect.table} (${was} → ${is})`;
    }
    case "has-record":
      return after[effect.table]?.[effect.key] ? null : `expected a record ${effect.key} in ${effect.table}`;
    case "removes-record":
      return after[effect.table]?.[effect.key] ? `expected ${effect.key} to be gone from ${effect.table}` : null;
    case "sets-field": {
      const value = after[effect.table]?.[effect.key]?.[effect.field];
      return JSON.stringify(value) === JSON.stringify(effect.value)
        ? null
        : `expected ${effect.table}.${effect.key}.${effect.field} = ${JSON.stringify(effect.value)}, found ${JSON.stringify(value)}`;
    }
    case "path-equals": {
      const value = valueIn(after[effect.table]?.[effect.key], effect.path);
      return JSON.stringify(value) === JSON.stringify(effect.value)
        ? null
        : `${effect.rule}: expected ${effect.table}.${effect.key}.${effect.path.join(".")} = ${JSON.stringify(effect.value)}, found ${JSON.stringify(value)}`;
    }
    case "path-grows": {
      const size = (v: unknown) => (Array.isArray(v) ? v.length : v && typeof v === "object" ? Object.keys(v).length : 0);
      const was = size(valueIn(before[effect.table]?.[effect.key], effect.path));
      const is = size(valueIn(after[effect.table]?.[effect.key], effect.path));
      return is > was
        ? null
        : `${effect.rule}: expected ${effect.table}.${effect.key}.${effect.path.join(".")} to gain an entry (${was} → ${is})`;
    }
    case "path-changes": {
      const was = valueIn(before[effect.table]?.[effect.key], effect.path);
      const is = valueIn(after[effect.table]?.[effect.key], effect.path);
      return JSON.stringify(was) !== JSON.stringify(is)
        ? null
        : `${effect.rule}: expected ${effect.table}.${effect.key}.${effect.path.join(".")} to change, it stayed ${JSON.stringify(is)}`;
    }
    case "returns-number":
      return Number(result) === effect.value ? null : `expected the result ${effect.value}, got ${JSON.stringify(result)}`;
    case "changes-nothing":
      return stateChanged ? "a tool that must change nothing changed the state" : null;
    case "returns-key": {
      const got = result && typeof result === "object" ? (result as Record<string, unknown>)[effect.field] : undefined;
      return got === effect.value
        ? null
        : `expected the result's ${effect.field} to be ${JSON.stringify(effect.value)}, got ${JSON.stringify(got)}`;
    }
  }
}

/** Judge one case from its setup outcomes, its outcome and (for writes) the states around it. */
export function judge(
  test: TestCase,
  setup: readonly CallOutcome[],
  outcome: CallOutcome,
  states: { before: JsonObject; after?: JsonObject; changed: boolean },
): CaseResult {
  const category = categorize(outcome);
  const base = { id: test.id, kind: test.kind, category };
  const failedSetup = setup.find((o) => !o.ok);
  if (category === "unexpected") return { ...base, verdict: "fail", message: describeOutcome(outcome) };
  if (failedSetup) {
    // The case's preparation was refused: it says nothing about the tool, unless it crashed.
    return categorize(failedSetup) === "unexpected"
      ? { ...base, verdict: "fail", message: `setup: ${describeOutcome(failedSetup)}` }
      : { ...base, verdict: "pass" };
  }
  if (test.expect === "rejection") {
    return category === "anticipated"
      ? { ...base, verdict: "pass" }
      : { ...base, verdict: "fail", message: `accepted a call it must refuse: ${JSON.stringify(test.call.arguments).slice(0, 200)}` };
  }
  if (test.expect === "success") {
    if (category === "anticipated") return { ...base, verdict: "refused", message: describeOutcome(outcome) };
    const result = outcome.ok ? outcome.result : undefined;
    for (const effect of test.effects) {
      const problem = effectProblem(effect, states.before as Tables, (states.after ?? states.before) as Tables, result, states.changed);
      if (problem) return { ...base, verdict: "fail", message: problem };
    }
  }
  return { ...base, verdict: "pass" };
}
