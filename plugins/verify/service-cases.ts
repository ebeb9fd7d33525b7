// Cases for a service tool (one modelled on a data pack), made from its rules: valid calls on
// records its requirements accept, each checked for every effect the rules promise; for each
// requirement, a call that breaks it alone and must be refused; the sandbox's own refusals
// (missing and mistyped arguments); and a repeat, where refusing is fine and crashing is not.
// A tool whose code contradicts a rule its name, description, policy or data states fails here.
import type { ToolModel } from "../../lib/contracts/domain-schema.ts";
import type { DomainState, Row } from "../../lib/contracts/domain-state.ts";
import type { Place, Requirement, Effect as RuleEffect, ServiceModel, ValueExpr } from "../../lib/contracts/tool-rules.ts";
import type { JsonSchema } from "../../lib/domain-model/json-schema.ts";
import {
  brokenCalls,
  evaluate,
  referrerOf,
  rootRecord,
  type ServiceCall,
  type ServiceInputs,
  serviceCall,
  valueIn,
} from "../../lib/domain-model/service-arguments.ts";
import type { Effect } from "../../lib/domain-model/valid-arguments.ts";
import { onSession, signInSetup } from "../../lib/service-tools/sign-in-call.ts";
import type { ToolCall } from "../../sandbox/index.ts";
import { type TestCase, wrongType } from "./cases.ts";

/** Which case checks which rule (`requires` first, then `effects`, in order). */
export type RuleCases = Map<number, string>;

export function serviceCases(
  input: ServiceInputs & { functionName: string; functionOf?: (tool: string) => string | undefined },
  validCount = 3,
): { cases: TestCase[]; checks: RuleCases } {
  const s = input.model.service as ServiceModel;
  const call = (args: Row): ToolCall => ({ tool: input.functionName, arguments: args });
  // A tool that needs someone signed in runs each case after a sign-in (the data's session may be expired).
  const signIn = input.functionOf ? signInSetup(input.model, input.schema.tools, input.state, input.functionOf) : null;
  const before: ToolCall[] = signIn ? [signIn] : [];
  const cases: TestCase[] = [];
  const checks: RuleCases = new Map();
  const valid: ServiceCall[] = [];
  const seen = new Set<string>();
  for (let attempt = 0; attempt < validCount * 2 && valid.length < validCount; attempt++) {
    const built = serviceCall(input, attempt);
    if (!built) break;
    const text = JSON.stringify(built.args);
    if (seen.has(text)) continue;
    seen.add(text);
    valid.push(built);
    const id = `valid-${valid.length}`;
    const effects = effectsOf(input, s, built, checks, id);
    cases.push({ id, kind: "valid", setup: [...before], call: call(built.args), expect: "success", effects });
  }
  const first = valid[0];
  if (first) {
    for (const broken of brokenCalls(input, first)) {
      const rule = s.requires[broken.rule]?.rule as Requirement;
      const id = `rule-${broken.rule + 1}:${rule.kind}`;
      checks.set(broken.rule, id);
      // A requirement on the session is broken by signing nobody in: the data's own session stays.
      cases.push({
        id,
        kind: "reject",
        setup: onSession(rule) ? [] : [...before],
        call: call(broken.args),
        expect: "rejection",
        effects: [],
      });
    }
    const properties = (input.parameters.properties ?? {}) as Record<string, JsonSchema>;
    const required = ((input.parameters.required as string[] | undefined) ?? []).filter((name) => name in first.args);
    const name = required[0];
    if (name) {
      const { [name]: _dropped, ...rest } = first.args;
      cases.push({ id: `missing:${name}`, kind: "reject", setup: [], call: call(rest), expect: "rejection", effects: [] });
      const wrong = wrongType(properties[name] ?? {});
      if (wrong !== undefined)
        cases.push({
          id: `wrong-type:${name}`,
          kind: "reject",
          setup: [],
          call: call({ ...first.args, [name]: wrong }),
          expect: "rejection",
          effects: [],
        });
    }
    if (input.model.access === "write")
      cases.push({
        id: "edge:twice",
        kind: "edge",
        setup: [...before, call(first.args)],
        call: call(first.args),
        expect: "either",
        effects: [],
      });
  }
  return { cases, checks };
}

/** What a successful valid call must show, rule by rule. */
function effectsOf(input: ServiceInputs, s: ServiceModel, built: ServiceCall, checks: RuleCases, id: string): Effect[] {
  if (s.kind === "utility") {
    if (s.utility === "calculate") return [{ kind: "returns-number", value: 14 }, { kind: "changes-nothing" }];
    return [{ kind: "changes-nothing" }];
  }
  if (s.kind === "find" || s.kind === "get" || s.kind === "list") return [];
  if (s.kind === "create") {
    if (!s.table) return [{ kind: "changes-state" }];
    // The new record is seen whole: the rules that make its fields are checked by it being there.
    s.effects.forEach((entry, i) => {
      if (entry.rule.kind === "set" && !checks.has(s.requires.length + i)) checks.set(s.requires.length + i, id);
    });
    return [{ kind: "adds-record", table: s.table }];
  }
  const subject = built.record;
  const record = subject ? input.state[subject.table]?.[subject.key] : undefined;
  // A field set to what it already holds (a flag, or a status the case's argument repeats) changes
  // nothing, rightly: only then is no change allowed.
  const noop =
    record !== undefined &&
    s.effects.length > 0 &&
    s.effects.every((e) => {
      if (e.rule.kind !== "set" || e.rule.place.hops.length > 0) return false;
      const value = e.rule.value.kind === "constant" ? e.rule.value.value : plainValue(input, e.rule.value, record, built.args);
      return value !== undefined && JSON.stringify(valueIn(record, e.rule.place.path)) === JSON.stringify(value);
    });
  // A change whose effects nothing in the input states (no rule derived) is checked on its
  // requirements alone: dropping it would leave the service's calls to it answered by no tool,
  // and verification.json shows it enforces no effect (a model can write one).
  const out: Effect[] = noop || s.effects.length === 0 ? [] : [{ kind: "changes-state" }];
  if (!subject) return out;
  s.effects.forEach((entry, i) => {
    const rule = entry.rule as RuleEffect;
    const label = `${entry.source}: ${entry.text}`.slice(0, 160);
    // An effect on a condition is checked by the valid calls not crashing; an insert by its new record.
    if (entry.when && entry.when.length > 0) return;
    // Records an array argument names are checked by the valid calls not crashing.
    if (rule.kind === "set-named") return;
    // So are the records of another table an add-each moves, and a record the call takes out of its table.
    if (rule.kind === "add-each" || rule.kind === "discard") return;
    if (rule.kind === "insert") {
      // Several records made in one table (a transfer's two ledger entries): one check of them all.
      const made = out.find((e) => e.kind === "adds-record" && e.table === rule.table);
      if (made?.kind === "adds-record") made.count = (made.count ?? 1) + 1;
      else out.push({ kind: "adds-record", table: rule.table });
      if (!checks.has(s.requires.length + i)) checks.set(s.requires.length + i, id);
      return;
    }
    // A place under a key the call reads from a record (a balance by the request's type) is checked by the call not crashing.
    if (rule.place.key) return;
    const at = placeRecord(input.state, subject, record, rule.place, built.args);
    if (!at) return;
    let effect: Effect | null = null;
    switch (rule.kind) {
      case "set": {
        const value = plainValue(input, rule.value, record, built.args);
        if (value !== undefined) effect = { kind: "path-equals", ...at, path: rule.place.path, value, rule: label };
        break;
      }
      case "shift-date":
      case "add":
        if (rule.kind === "add" && Number(evaluate(input, rule.amount, record, built.args) ?? 0) === 0) break;
        effect = { kind: "path-changes", ...at, path: rule.place.path, rule: label };
        break;
      case "entry-add": {
        const entryKey = String(built.args[rule.parameter]);
        // In a list of records, the entry is found by its key field: its index is its path.
        const container = valueIn(input.state[at.table]?.[at.key], rule.place.path);
        const step =
          Array.isArray(container) && rule.keyField
            ? String(container.findIndex((e) => String((e as Row | null)?.[rule.keyField as string]) === entryKey))
            : entryKey;
        const path = [...rule.place.path, step, rule.field];
        const target = valueIn(input.state[at.table]?.[at.key], path);
        if (typeof target === "number" && Number(evaluate(input, rule.amount, record, built.args) ?? 0) !== 0)
          effect = { kind: "path-changes", ...at, path, rule: label };
        break;
      }
      case "append":
      case "link":
        effect = { kind: "path-grows", ...at, path: rule.place.path, rule: label };
        break;
      case "put":
        effect = { kind: "path-grows", ...at, path: rule.place.path, rule: label };
        break;
      case "add-values":
        // Values already there are skipped, rightly, when unique: only a plain add must grow the list.
        if (!rule.unique) effect = { kind: "path-grows", ...at, path: rule.place.path, rule: label };
        break;
      case "mirror": {
        const list = valueIn(input.state[at.table]?.[at.key], rule.place.path);
        const mirrors = (e: unknown) =>
          rule.negate
            ? typeof (e as Row | null)?.[rule.negate] === "number" && ((e as Row)[rule.negate] as number) > 0
            : (e as Row | null)?.[rule.match.field] === rule.match.value;
        if (Array.isArray(list) && list.some(mirrors)) effect = { kind: "path-grows", ...at, path: rule.place.path, rule: label };
        break;
      }
      case "slot-take":
      case "slot-release":
        effect = { kind: "path-changes", ...at, path: rule.place.path, rule: label };
        break;
    }
    if (effect) {
      out.push(effect);
      if (!checks.has(s.requires.length + i)) checks.set(s.requires.length + i, id);
    }
  });
  return out;
}

/** The record a place names, from the call's subject: its table and key (null when a key names nothing). */
function placeRecord(
  state: DomainState,
  subject: { table: string; key: string },
  record: Row | undefined,
  place: Place,
  args: Row,
): { table: string; key: string } | null {
  let at = subject;
  let current = record;
  if (place.root) {
    // Only a root known before the call: one an argument names (by key or by fields), or a collection's one record.
    const known = (v: ValueExpr) => v.kind === "parameter";
    if ((place.root.key && !known(place.root.key)) || place.root.where?.some((w) => !known(w.value))) return null;
    const found = rootRecord(state, place.root, record, args);
    if (!found) return null;
    at = { table: place.root.table, key: found[0] };
    current = found[1];
  }
  for (const hop of place.hops) {
    if (hop.back) {
      const found = referrerOf(state, hop, current, at.key);
      if (!found) return null;
      at = { table: hop.table, key: found[0] };
      current = found[1];
      continue;
    }
    const key = valueIn(current, hop.field.split("."));
    if (key === undefined || key === null) return null;
    at = { table: hop.table, key: String(key) };
    current = state[hop.table]?.[String(key)];
    if (!current) return null;
  }
  return at;
}

/** A rule's value when it is known before the call (a constant, an argument, today); undefined otherwise. */
function plainValue(input: ServiceInputs, value: ValueExpr, record: Row | undefined, args: Row): unknown {
  switch (value.kind) {
    case "constant":
    case "parameter":
    case "today":
    case "now":
    case "read":
      return evaluate(input, value, record, args);
    case "object": {
      const out: Row = {};
      for (const [name, part] of Object.entries(value.fields)) {
        const v = plainValue(input, part, record, args);
        if (v === undefined) return undefined;
        out[name] = v;
      }
      return out;
    }
    default:
      return undefined;
  }
}

/** A tool's rules for verification.json, each with the case that checked it and whether it held. */
export function ruleReport(
  model: ToolModel,
  checks: RuleCases,
  verdicts: ReadonlyMap<string, boolean>,
): { kind: string; source: ServiceModel["requires"][number]["source"]; text: string; case?: string; held?: boolean }[] {
  const s = model.service as ServiceModel;
  return [...s.requires, ...s.effects].map((entry, i) => {
    const id = checks.get(i);
    const held = id ? verdicts.get(id) : undefined;
    return {
      kind: entry.rule.kind,
      source: entry.source,
      text: entry.text,
      ...(id ? { case: id } : {}),
      ...(held !== undefined ? { held } : {}),
    };
  });
}
