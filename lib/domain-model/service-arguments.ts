// Calls of a service tool built from its data and rules: a valid call on a record its requirements
// accept (the key of an active loan, one of its member's payment methods, an amount within what is
// due, an open slot), and, for each requirement, a call that breaks it alone. Verification runs
// them; tasks start from the valid ones.

import type { Rng } from "../../kernel/rng.ts";
import type { DomainSchema, Table, ToolModel } from "../contracts/domain-schema.ts";
import type { DomainState, Row } from "../contracts/domain-state.ts";
import type { Condition, Effect, Place, Requirement, ServiceModel, ValueExpr } from "../contracts/tool-rules.ts";
import { type JsonSchema, sampleFromSchema } from "./json-schema.ts";

export interface ServiceCall {
  args: Row;
  /** The record the call acts on (change tools), for checking its effects. */
  record?: { table: string; key: string };
}

export interface ServiceInputs {
  model: ToolModel;
  schema: DomainSchema;
  state: DomainState;
  parameters: JsonSchema;
  clock: string;
  rng: Rng;
}

const service = (model: ToolModel) => model.service as ServiceModel;
const requirement = <K extends Requirement["kind"]>(model: ToolModel, kind: K) =>
  service(model)
    .requires.map((r) => r.rule as Requirement)
    .filter((r): r is Extract<Requirement, { kind: K }> => r.kind === kind);

/** The value at a path inside a record. */
export function valueIn(record: unknown, path: readonly string[]): unknown {
  let value: unknown = record;
  for (const step of path) value = value && typeof value === "object" ? (value as Row)[step] : undefined;
  return value;
}

/** The value a find's argument takes to match `record`: its own field, or one a record referring to it holds. */
export function matchValue(state: DomainState, table: Table, record: Row, m: ServiceModel["match"][number]): unknown {
  if (!m.via) return valueIn(record, m.path);
  const via = m.via;
  const holder = Object.entries(state[via.table] ?? {})
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([, r]) => r)
    .find((r) => String(valueIn(r, via.field.split("."))) === String(record[table.key]));
  return holder ? valueIn(holder, m.path) : undefined;
}

/** A map's entries by key, or a list of records keyed by `keyField`, as a map. */
export function entriesOf(container: unknown, keyField?: string): Record<string, Row> {
  if (Array.isArray(container))
    return keyField
      ? Object.fromEntries(container.filter((e) => e && typeof e === "object").map((e) => [String((e as Row)[keyField]), e as Row]))
      : {};
  return container && typeof container === "object" ? (container as Record<string, Row>) : {};
}

/**
 * The record a place's hops reach from `record`, or from its root (a record a value names, a
 * collection's one record): undefined when a key names nothing.
 */
export function reachRecord(state: DomainState, record: Row | undefined, place: Place, args: Row = {}): Row | undefined {
  let current = record;
  if (place.root) current = rootRecord(state, place.root, record, args)?.[1];
  for (const hop of place.hops) {
    if (hop.back) {
      current = referrerOf(state, hop, current)?.[1];
      continue;
    }
    const key = valueIn(current, hop.field.split("."));
    current = key === undefined || key === null ? undefined : state[hop.table]?.[String(key)];
  }
  return current;
}

/**
 * The record a place's root names, with its key: by its key (a record a value names, a collection's
 * one record under `current`), or the first whose fields equal `where`'s values; undefined when none.
 */
export function rootRecord(
  state: DomainState,
  root: NonNullable<Place["root"]>,
  record: Row | undefined,
  args: Row,
): [string, Row] | undefined {
  const rows = state[root.table] ?? {};
  if (root.where) {
    const where = root.where.map((w) => [w.field, plainKey(w.value, record, args, state)] as const);
    return Object.entries(rows).find(([, r]) => where.every(([field, value]) => sameKey(valueIn(r, [field]), value)));
  }
  const key = root.key ? plainKey(root.key, record, args, state) : "current";
  if (key === undefined || key === null) return undefined;
  const found = rows[String(key)];
  return found ? [String(key), found] : undefined;
}

/**
 * The first record of `hop.table` whose `hop.field` names `record` (a backward hop), with its key:
 * the field holds the record's key, which the record keeps among its own fields (`id`), or `key` when known.
 */
export function referrerOf(
  state: DomainState,
  hop: Place["hops"][number],
  record: Row | undefined,
  key?: string,
): [string, Row] | undefined {
  if (!record) return undefined;
  const own = new Set(
    key !== undefined
      ? [key]
      : Object.values(record)
          .filter((v) => typeof v === "string" || typeof v === "number")
          .map(String),
  );
  return Object.entries(state[hop.table] ?? {}).find(([, r]) => {
    const v = valueIn(r, hop.field.split("."));
    return (typeof v === "string" || typeof v === "number") && own.has(String(v));
  });
}

/** A valid call, the `attempt`-th of those the data offers (null when the data offers none). */
export function serviceCall(input: ServiceInputs, attempt = 0, options: { wrap?: boolean } = {}): ServiceCall | null {
  const { model, schema, state } = input;
  const s = service(model);
  const table = schema.tables.find((t) => t.name === s.table);
  switch (s.kind) {
    case "utility":
      return { args: utilityArgs(input) };
    case "find":
    case "get":
    case "list": {
      if (!table) return null;
      const rows = sortedRows(state, table);
      const record = rows[attempt % Math.max(1, rows.length)];
      if (!record) return null;
      const args: Row = {};
      if (s.kind === "get" && s.keyParameter) args[s.keyParameter] = keyOf(record, table);
      for (const m of s.match) if (m.mode !== "text") args[m.parameter] = matchValue(state, table, record, m);
      return fill(input, args, record, table);
    }
    case "change": {
      if (!table) return null;
      // Records a constant write would change come first: enabling a flag already on shows nothing.
      const accepted = sortedRows(state, table).filter((r) => accepts(input, r) && subjectKey(r, table, s) !== undefined);
      const changes = (r: Row) =>
        s.effects.every(
          (e) =>
            e.rule.kind !== "set" ||
            e.rule.place.hops.length > 0 ||
            e.rule.value.kind !== "constant" ||
            valueIn(r, e.rule.place.path) !== e.rule.value.value,
        );
      // Records that meet the derived conditions on the record alone come first (a location with no
      // stock and no open transfer, for a call that closes one): a condition the first record happens
      // to break is otherwise taken out as one the data contradicts.
      const meets = (r: Row) => derivedConditions(input.model).every((c) => conditionHolds(input, c.condition, r, {}));
      const ordered = [...accepted.filter(meets), ...accepted.filter((r) => !meets(r))];
      const candidates = [...ordered.filter(changes), ...ordered.filter((r) => !changes(r))];
      const record = candidates[attempt % Math.max(1, candidates.length)];
      // Past the candidates a caller enumerating them is done, unless it asked to wrap around.
      if (!record || (!options.wrap && attempt >= candidates.length + 2)) return null;
      // The record by its key, or by the fields that find it; the one record of its collection needs neither.
      const args: Row = s.keyParameter ? { [s.keyParameter]: subjectKey(record, table, s) } : {};
      for (const m of s.keyParameter ? [] : s.match) args[m.parameter] = matchValue(state, table, record, m);
      const call = fill(input, args, record, table);
      const key = Object.entries(state[table.name] ?? {}).find(([, r]) => r === record)?.[0] ?? String(keyOf(record, table));
      return call ? { ...call, record: { table: table.name, key } } : null;
    }
    case "create": {
      if (!table) return null;
      return fill(input, {}, undefined, table, attempt);
    }
  }
}

function sortedRows(state: DomainState, table: Table): Row[] {
  return Object.entries(state[table.name] ?? {})
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, r]) => {
      if (r && typeof r === "object") mapKeys.set(r, key);
      return r;
    });
}

/** Each record's key: the key field it holds, else the key the data files it under (a map keyed by id whose records hold none). */
const mapKeys = new WeakMap<Row, string>();

function keyOf(record: Row, table: Table): unknown {
  return record[table.key] ?? mapKeys.get(record);
}

/** What a call gives to name a record: its key, or the key of the first entry of its list when the call acts on one (a booking's seat). */
function subjectKey(record: Row, table: Table, s: ServiceModel): unknown {
  if (!s.entry) return keyOf(record, table);
  const list = valueIn(record, s.entry.path);
  const first = Array.isArray(list) ? (list.find((e) => e && typeof e === "object") as Row | undefined) : undefined;
  return first?.[s.entry.keyField] ?? undefined;
}

/** Whether a record meets the requirements that speak of the record itself (its state, its counters). */
function accepts(input: ServiceInputs, record: Row): boolean {
  for (const r of requirement(input.model, "status-in"))
    if (!r.values.includes(String(valueIn(reachRecord(input.state, record, r.place), r.place.path)))) return false;
  for (const r of requirement(input.model, "below")) if (Number(valueIn(record, r.place.path) ?? 0) >= r.limit) return false;
  for (const r of requirement(input.model, "at-most")) {
    const limit = evaluate(input, r.limit, record, {});
    if (typeof limit !== "number" || limit <= 0) return false;
  }
  for (const r of requirement(input.model, "elements-of"))
    if (((valueIn(record, r.place.path) as unknown[] | undefined) ?? []).length === 0) return false;
  for (const r of requirement(input.model, "entry-of"))
    if (Object.keys(entriesOf(valueIn(reachRecord(input.state, record, r.place), r.place.path), r.keyField)).length === 0) return false;
  // A condition on the record alone (a weight within a cap) decides before any argument is chosen.
  for (const r of checkedConditions(input.model))
    if (readsRecordOnly(r.condition) && !conditionHolds(input, r.condition, record, {})) return false;
  return true;
}

/**
 * The conditions cases are built for: those a person (a rules file) or a model settled on. A
 * condition derived offline still gets no case of its own that breaks it, as before: its check is
 * the valid call, and relaxation takes it out (see plugins/verify/relax-rules.ts). Checking derived
 * conditions too keeps wrong ones derived on blind services (measured: the player pack's gold
 * calls alike fell from 0.90 to 0.88): that waits on their derivation.
 */
function checkedConditions(model: ToolModel): Extract<Requirement, { kind: "compare" }>[] {
  return service(model)
    .requires.filter(
      (r) =>
        r.rule.kind === "compare" &&
        (r.source === "user" || r.source === "model" || againstClock(r.rule.condition) || ofRelatedRecord(r.rule.condition)),
    )
    .map((r) => r.rule as Extract<Requirement, { kind: "compare" }>);
}

/**
 * A condition that compares a time with the clock ("before its window opens", "at most 7 days
 * ahead"): whatever its source, it is checked by a call that breaks it, since the valid calls (times
 * the data holds, mostly past) say nothing of it.
 */
export function againstClock(condition: Condition): boolean {
  const clock = (v: ValueExpr | undefined) => v?.kind === "now" || v?.kind === "today";
  return clock(condition.left) || clock(condition.right);
}

/**
 * A condition on a record related to the call's own, found by its fields ("the tracker of this
 * shipment is unknown or pre_transit"): checked by a call on a record whose related one breaks it.
 */
function ofRelatedRecord(condition: Condition): boolean {
  return condition.left.kind === "match" && readsRecordOnly(condition);
}

/** A date or date-time text moved by whole days, in the same format (`2025-03-14T15:00:00Z` → `2025-03-15T15:00:00Z`). */
function shiftedTime(text: string, days: number): string {
  const date = text.length === 10;
  const moved = new Date(Date.parse(date ? `${text}T00:00:00Z` : text) + days * 86_400_000).toISOString();
  return date ? moved.slice(0, 10) : /\.\d+Z$/.test(text) ? moved : moved.replace(/\.\d+Z$/, "Z");
}

const isTimeText = (v: unknown): v is string =>
  typeof v === "string" && /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/.test(v);

/**
 * Times the call gives that the clock bounds ("must start now or later, at most 7 days ahead"):
 * a value the data holds (a past one) is moved to the first of a few times after the clock that
 * meets every such bound, so that the valid call is valid.
 */
function withinClockBounds(input: ServiceInputs, args: Row, record: Row | undefined): void {
  const bounds = service(input.model)
    .requires.map((r) => r.rule)
    .filter((r): r is Extract<Requirement, { kind: "compare" }> => r.kind === "compare" && againstClock(r.condition))
    .filter((r) => r.condition.left.kind === "parameter" && !r.condition.left.path);
  const names = new Set(bounds.map((r) => (r.condition.left as { name: string }).name));
  for (const name of names) {
    const own = bounds.filter((r) => (r.condition.left as { name: string }).name === name);
    const meets = (a: Row) => own.every((r) => conditionHolds(input, r.condition, record, a));
    if (!(name in args) || meets(args)) continue;
    const model = isTimeText(args[name]) ? (args[name] as string) : input.clock;
    const at = model.length === 10 ? input.clock.slice(0, 10) : input.clock.replace(/\.\d+Z$/, "Z");
    for (const days of [1, 2, 0, 3, 7]) {
      const attempt = { ...args, [name]: shiftedTime(at, days) };
      if (meets(attempt)) {
        args[name] = attempt[name];
        break;
      }
    }
  }
}

/** Whether a condition reads nothing but the record, constants and the clock (no argument). */
function readsRecordOnly(condition: Condition): boolean {
  const plain = (v: ValueExpr | undefined): boolean =>
    v === undefined ||
    v.kind === "constant" ||
    (v.kind === "read" && !v.place.root) ||
    (v.kind === "match" && v.where.every((w) => plain(w.value))) ||
    v.kind === "now" ||
    v.kind === "today" ||
    (v.kind === "arith" && plain(v.left) && plain(v.right));
  return plain(condition.left) && plain(condition.right);
}

/**
 * The conditions derived offline over the records that refer to the record (a sum of their stock, a
 * count of them in some states), on the record alone otherwise: the valid call's record is one that
 * meets them when there is one.
 */
function derivedConditions(model: ToolModel): Extract<Requirement, { kind: "compare" }>[] {
  return service(model)
    .requires.filter((r) => r.rule.kind === "compare" && r.source !== "user" && r.source !== "model")
    .map((r) => r.rule as Extract<Requirement, { kind: "compare" }>)
    .filter((r) => overReferringRecords(r.condition));
}

/** Whether a condition compares sums or counts of records found by the record's own fields with constants. */
function overReferringRecords(condition: Condition): boolean {
  const over = (v: ValueExpr | undefined): boolean =>
    v?.kind === "aggregate" &&
    v.where.every(
      (w) => w.value.kind === "constant" || (w.value.kind === "read" && !w.value.place.root && w.value.place.hops.length === 0),
    );
  const sides = [condition.left, condition.right];
  return sides.some(over) && sides.every((v) => v === undefined || v.kind === "constant" || over(v));
}

/** A condition as the written code's `holds` decides it (template-helpers.ts), for a call on `record` with `args`. */
export function conditionHolds(input: ServiceInputs, condition: Condition, record: Row | undefined, args: Row): boolean {
  const a = evaluate(input, condition.left, record, args);
  const b = condition.right ? evaluate(input, condition.right, record, args) : undefined;
  const there = (v: unknown) => v !== undefined && v !== null && v !== "";
  const eq = (x: unknown, y: unknown) =>
    typeof x === "string" && typeof y === "string"
      ? x.toLowerCase() === y.toLowerCase()
      : typeof x === "number" || typeof y === "number"
        ? x != null && y != null && String(x) === String(y)
        : JSON.stringify(x) === JSON.stringify(y);
  // As the written code's `holds`: amounts written as decimal strings are ordered as numbers.
  const decimal = (v: unknown) => (typeof v === "string" && /^-?\d+(?:\.\d+)?$/.test(v) ? Number(v) : v);
  const order = (x0: unknown, y0: unknown) => {
    const numeric = typeof x0 === "number" || typeof y0 === "number" || (decimal(x0) !== x0 && decimal(y0) !== y0);
    const [x, y] = numeric ? [decimal(x0), decimal(y0)] : [x0, y0];
    return typeof x === "number" && typeof y === "number"
      ? x - y
      : typeof x === "string" && typeof y === "string"
        ? x < y
          ? -1
          : x > y
            ? 1
            : 0
        : Number.NaN;
  };
  switch (condition.op) {
    case "given":
      return there(a);
    case "absent":
      return !there(a);
    case "==":
      return eq(a, b);
    case "!=":
      return !eq(a, b);
    case "<":
      return order(a, b) < 0;
    case "<=":
      return order(a, b) <= 0;
    case ">":
      return order(a, b) > 0;
    case ">=":
      return order(a, b) >= 0;
    case "in":
      return Array.isArray(b) && b.some((v) => eq(a, v));
    case "not-in":
      return !(Array.isArray(b) && b.some((v) => eq(a, v)));
  }
}

/**
 * Arguments under which a condition fails, the call otherwise the valid one: another record of
 * the table when the condition reads the record alone, another value when it tests an argument
 * against something known; null when neither can be built (the rule is then left unchecked, not
 * checked with a call that keeps it).
 */
function breakCondition(
  input: ServiceInputs,
  table: Table | undefined,
  index: number,
  condition: Condition,
  valid: ServiceCall,
  when: readonly Condition[] = [],
): Row | null {
  const args = { ...valid.args };
  const record = valid.record ? input.state[valid.record.table]?.[valid.record.key] : undefined;
  if (table && (readsRecordOnly(condition) || overReferringRecords(condition))) {
    const others = { ...input, model: withoutRule(input.model, index) };
    // A record the rule applies to (its `when` holds) that breaks it.
    const applies = (row: Row) => when.every((w) => conditionHolds(input, w, row, {}));
    const other = sortedRows(input.state, table).find(
      (row) => applies(row) && !conditionHolds(input, condition, row, {}) && accepts(others, row),
    );
    return other && pointAt(input, table, args, other) ? args : null;
  }
  if (condition.left.kind !== "parameter") return null;
  const name = condition.left.name;
  // A part of an argument (`amount_money.amount`): that part is what changes.
  const at = condition.left.path ?? [];
  if (at.length > 1) return null;
  const right = condition.right ? evaluate(input, condition.right, record, args) : undefined;
  // A bound against the clock: a day past it either way.
  const tries: unknown[] = isTimeText(right)
    ? [shiftedTime(right, 1), shiftedTime(right, -1)]
    : condition.op === "given"
      ? [null]
      : condition.op === "!=" && right !== undefined && right !== null
        ? [right]
        : typeof right === "number"
          ? [right + 1, right - 1, right === 0 ? 1 : 0]
          : Array.isArray(right) || condition.op === "in"
            ? ["not one of the allowed values"]
            : condition.op === "not-in" && Array.isArray(right)
              ? right.slice(0, 1)
              : typeof right === "string"
                ? [`not ${right}`, right]
                : [];
  for (const value of tries) {
    const attempt = { ...args };
    if (at.length === 1) {
      const whole = attempt[name];
      if (value === null || !whole || typeof whole !== "object") continue;
      attempt[name] = { ...(whole as Row), [at[0] as string]: value };
    } else if (value === null) delete attempt[name];
    else attempt[name] = value;
    if (!conditionHolds(input, condition, record, attempt)) return attempt;
  }
  return null;
}

/** The roots of the effects' places that find a record by its fields, each once. */
function rootedPlaces(
  effects: readonly { rule: Effect | Requirement }[],
): { table: string; where: { field: string; value: ValueExpr }[] }[] {
  const seen = new Map<string, { table: string; where: { field: string; value: ValueExpr }[] }>();
  for (const { rule } of effects) {
    const root = "place" in rule && rule.place ? rule.place.root : undefined;
    if (root?.where) seen.set(JSON.stringify(root), { table: root.table, where: root.where });
  }
  return [...seen.values()];
}

/** Two keys alike as the written code's `same` has them: numbers and their digits are one key. */
const sameKey = (a: unknown, b: unknown): boolean => a !== undefined && a !== null && String(a) === String(b);

/** A root's key, from what is known before the call: an argument, a constant, a field of the record. */
function plainKey(value: ValueExpr, record: Row | undefined, args: Row, state: DomainState): unknown {
  if (value.kind === "parameter") return value.path ? valueIn(args[value.name], value.path) : args[value.name];
  if (value.kind === "constant") return value.value;
  if (value.kind === "read") return valueIn(reachRecord(state, record, value.place, args), value.place.path);
  return undefined;
}

const amountOf = (value: unknown): number =>
  typeof value === "number"
    ? value
    : value && typeof value === "object" && typeof (value as Row).amount === "number"
      ? ((value as Row).amount as number)
      : Number(value);

/** A value a rule computes, for a call on `record` with `args`. */
export function evaluate(input: ServiceInputs, value: ValueExpr, record: Row | undefined, args: Row): unknown {
  switch (value.kind) {
    case "parameter":
      return (
        (value.path ? valueIn(args[value.name], value.path) : args[value.name]) ??
        (value.fallback ? evaluate(input, value.fallback, record, args) : value.otherwise)
      );
    case "arith": {
      const [a, b] = [amountOf(evaluate(input, value.left, record, args)), amountOf(evaluate(input, value.right, record, args))];
      const out =
        value.op === "+"
          ? a + b
          : value.op === "-"
            ? a - b
            : value.op === "*"
              ? a * b
              : value.op === "//"
                ? Math.floor(a / b)
                : value.op === "min"
                  ? Math.min(a, b)
                  : value.op === "max"
                    ? Math.max(a, b)
                    : a / b;
      return value.op === "/" ? out : Math.round(out * 100) / 100;
    }
    case "aggregate": {
      const rows = Object.values(input.state[value.table] ?? {}).filter((r) =>
        value.where.every((w) => (String(r[w.field]) === String(evaluate(input, w.value, record, args))) !== (w.not === true)),
      );
      return value.op === "count" ? rows.length : rows.reduce((n, r) => n + amountOf(r[value.field ?? "amount"]), 0);
    }
    case "constant":
      return value.value;
    case "today":
      return input.clock.slice(0, 10);
    case "now": {
      const iso = new Date(Date.parse(input.clock) + (value.offsetSeconds ?? 0) * 1000).toISOString();
      if (value.unixSeconds) return Math.floor(Date.parse(iso) / 1000);
      if (value.unixMillis) return value.unixMillis === "text" ? String(Date.parse(iso)) : Date.parse(iso);
      if (value.utcOffset) return atOffset(iso, value.utcOffset);
      return value.wholeSeconds ? iso.replace(/\.\d+Z$/, "Z") : iso;
    }
    case "read": {
      const at = valueIn(reachRecord(input.state, record, value.place, args), value.place.path);
      if (!value.place.key) return at;
      const key = evaluate(input, value.place.key, record, args);
      return at && typeof at === "object" && key !== undefined ? (at as Row)[String(key)] : undefined;
    }
    case "concat": {
      const parts = value.parts.map((p) => evaluate(input, p, record, args));
      return parts.some((p) => p === undefined) ? undefined : parts.map(String).join("");
    }
    case "lookup": {
      const key = evaluate(input, value.key, record, args);
      return key === undefined ? undefined : valueIn(input.state[value.table]?.[String(key)], value.path);
    }
    case "element": {
      const list = evaluate(input, value.of, record, args);
      const wanted = evaluate(input, value.equals, record, args);
      const more = (value.and ?? []).map((m) => ({ field: m.field, wanted: evaluate(input, m.equals, record, args) }));
      const found = Array.isArray(list)
        ? list.find(
            (e) =>
              String(valueIn(e, [value.field])) === String(wanted) && more.every((m) => String(valueIn(e, [m.field])) === String(m.wanted)),
          )
        : undefined;
      return found === undefined ? undefined : valueIn(found, value.path);
    }
    case "sum": {
      const list = evaluate(input, value.of, record, args);
      return Array.isArray(list) ? list.reduce((n: number, e) => n + amountOf(valueIn(e, value.path)), 0) : undefined;
    }
    // A key only the written code makes (the clock, the table's next number): nothing to compare it with.
    case "fresh-key":
      return undefined;
    case "bump": {
      const text = valueIn(reachRecord(input.state, record, value.place, args), value.place.path);
      const m = typeof text === "string" ? /^(.*?)(\d+)$/.exec(text) : null;
      return m ? `${m[1]}${String(Number(m[2]) + value.by).padStart((m[2] as string).length, "0")}` : undefined;
    }
    case "fixed": {
      const v = evaluate(input, value.value, record, args);
      return v === undefined || v === null || v === "" ? v : amountOf(v).toFixed(value.decimals);
    }
    case "digits": {
      const v = evaluate(input, value.value, record, args);
      return v === undefined || v === null ? undefined : String(v).padStart(value.digits, "0");
    }
    case "match": {
      const same = (a: unknown, b: unknown) =>
        typeof a === "string" && typeof b === "string" ? a.toLowerCase() === b.toLowerCase() : String(a) === String(b);
      const found = Object.entries(input.state[value.table] ?? {}).find(([, r]) =>
        value.where.every((w) => same(r[w.field], evaluate(input, w.value, record, args))),
      );
      return found ? (value.field ? found[1][value.field] : found[0]) : null;
    }
    default:
      return undefined;
  }
}

/** Every other parameter: records it must name, entries of the owner, allowed values, amounts within bounds, open slots. */
function fill(input: ServiceInputs, args: Row, record: Row | undefined, table: Table, attempt = 0): ServiceCall | null {
  const { model, state, rng, clock } = input;
  const properties = (input.parameters.properties ?? {}) as Record<string, JsonSchema>;
  const s = service(model);
  const subject = record ?? args;
  const written = s.kind === "change" ? writtenParameters(s) : new Set<string>();
  // Optional parameters the effects use are given too, so that the effects are seen.
  const used = s.kind === "change" ? parametersIn(s.effects) : new Set<string>();
  // A record the effects find by the call's references (the level a move's stock goes to): the
  // parameters that find it are read off one there is, other than the call's own record.
  for (const place of rootedPlaces(s.effects)) {
    const where = place.where.filter((w) => w.value.kind === "parameter" && !(w.value.name in args));
    if (where.length === 0) continue;
    const bound = place.where.filter((w) => w.value.kind === "parameter" && w.value.name in args);
    const found = Object.entries(state[place.table] ?? {})
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, r]) => r)
      .filter((r) => r !== record && bound.every((w) => sameKey(r[w.field], args[(w.value as { name: string }).name])));
    // Those whose values the call's other requirements accept come first (a plot of a crop that is
    // on sale, for a call refused on one that is not).
    const meets = (r: Row) => {
      const trial: Row = { ...args };
      for (const w of where) trial[(w.value as { name: string }).name] = r[w.field];
      return s.requires.every((e) => {
        const rule = e.rule as Requirement;
        if (rule.kind !== "compare" || e.when?.length) return true;
        if (![...parametersIn([e])].every((p) => p in trial)) return true;
        return conditionHolds(input, rule.condition, record, trial);
      });
    };
    const there = [...found.filter(meets), ...found.filter((r) => !meets(r))];
    const pick = there[attempt % Math.max(1, there.length)];
    if (!pick) return null;
    for (const w of where) args[(w.value as { name: string }).name] = pick[w.field];
  }
  for (const r of requirement(model, "record-exists")) {
    if (r.parameter in args) continue;
    const own = subject[r.parameter];
    // A reference the call rewrites gets another record than the one it names now (a move to
    // another section: not the one its `course_section_id` holds, or nothing would move).
    const held = [own, ...(referencesWritten(s).get(r.parameter) ?? []).map((path) => valueIn(subject, path))]
      .filter((v) => v !== undefined && v !== null)
      .map(String);
    // A record in the states the call requires of it ("for an OPEN order"), when any is.
    const states = requirement(model, "status-in").filter(
      (q) =>
        q.place.root?.table === r.table &&
        q.place.root.key?.kind === "parameter" &&
        q.place.root.key.name === r.parameter &&
        q.place.hops.length === 0,
    );
    const inState = (k: string) => states.every((q) => q.values.includes(String(valueIn(state[r.table]?.[k], q.place.path))));
    const all = Object.keys(state[r.table] ?? {})
      .sort()
      .filter((k) => !(written.has(r.parameter) && held.includes(k)));
    const keys = all.some(inState) ? all.filter(inState) : all;
    args[r.parameter] = own !== undefined && !written.has(r.parameter) ? own : keys[attempt % Math.max(1, keys.length)];
    if (args[r.parameter] === undefined) return null;
  }
  // Who acts differs from the record acted on ("never on their own record"): another record of the table.
  for (const r of requirement(model, "compare")) {
    const { left, op, right } = r.condition;
    if (op !== "!=" || left.kind !== "parameter" || !right) continue;
    const other =
      right.kind === "parameter"
        ? args[right.name]
        : right.kind === "read" && !right.place.root && right.place.hops.length === 0
          ? valueIn(subject, right.place.path)
          : undefined;
    const named = requirement(model, "record-exists").find((e) => e.parameter === left.name);
    if (!named || other === undefined || String(args[left.name]) !== String(other)) continue;
    const keys = Object.keys(state[named.table] ?? {})
      .sort()
      .filter((k) => k !== String(other));
    const pick = keys[attempt % Math.max(1, keys.length)];
    if (pick !== undefined) args[left.name] = typeof other === "number" ? Number(pick) : pick;
  }
  for (const r of requirement(model, "slot-open")) {
    const holder = reachRecord(state, { ...subject, ...args }, r.place);
    const slots = (valueIn(holder, r.place.path) as Record<string, unknown[]> | undefined) ?? {};
    const open = Object.entries(slots).flatMap(([k, vs]) => (vs ?? []).map((v) => [k, v] as const));
    const pick = open[attempt % Math.max(1, open.length)];
    if (!pick) return null;
    if (r.key.kind === "parameter") args[r.key.name] = pick[0];
    if (r.value.kind === "parameter") args[r.value.name] = pick[1];
  }
  for (const r of requirement(model, "parameter-in")) args[r.parameter] ??= r.values[0];
  for (const r of requirement(model, "elements-of")) {
    const first = ((valueIn(subject, r.place.path) as Row[] | undefined) ?? [])[0];
    if (!first) return null;
    args[r.parameter] = [first[r.field]];
  }
  const amountOf = () => {
    const bound = requirement(model, "at-most")[0];
    const limit = bound ? Number(evaluate(input, bound.limit, record, args)) : 10;
    return Math.max(0.01, Math.round((Number.isFinite(limit) ? Math.min(limit, 10) : 10) * 50) / 100);
  };
  for (const r of requirement(model, "positive")) args[r.parameter] ??= amountOf();
  for (const r of requirement(model, "at-most")) args[r.parameter] ??= amountOf();
  // "amount may not exceed the wallet's spendable balance": an amount within the bound the other arguments reach.
  for (const r of requirement(model, "compare")) {
    const { left, op, right } = r.condition;
    if (left.kind !== "parameter" || left.path || !right || (op !== "<=" && op !== "<") || left.name in args) continue;
    const limit = Number(evaluate(input, right, record, args));
    if (!Number.isFinite(limit) || limit <= 0) continue;
    const amount = Math.max(0.01, Math.round(Math.min(limit, 10) * 50) / 100);
    args[left.name] = properties[left.name]?.type === "string" ? amount.toFixed(2) : amount;
  }
  for (const r of requirement(model, "entry-of")) {
    const owner = reachRecord(state, subject, r.place);
    const entries = entriesOf(valueIn(owner, r.place.path), r.keyField);
    const covers = requirement(model, "covers").find((c) => c.parameter === r.parameter);
    const keys = Object.keys(entries).sort();
    const fits = keys.filter((k) => {
      if (!covers) return true;
      const balance = entries[k]?.[covers.field];
      if (typeof balance !== "number") return true;
      const need = Number(evaluate(input, covers.amount, record, args) ?? 0);
      return balance >= need;
    });
    const chosen = fits[attempt % Math.max(1, fits.length)];
    if (chosen === undefined) return null;
    args[r.parameter] = chosen;
  }
  // A record an effect reaches by a key the call gives (the device playback moves to): one there is.
  for (const { table: named, parameter, element } of rootKeys(s)) {
    if (parameter in args) continue;
    const keys = Object.keys(state[named] ?? {}).sort();
    const key = keys[attempt % Math.max(1, keys.length)];
    if (key !== undefined) args[parameter] = element ? [key] : key;
  }
  // Whatever is still missing: the record's own values for same-named fields (not for the values a
  // change writes: writing what is already there would change nothing), else a sample of the schema.
  for (const [name, schema] of Object.entries(properties)) {
    if (name in args) continue;
    const own = subject[name];
    const example = s.kind === "create" ? dataExample(state, table, name, attempt) : undefined;
    if (own !== undefined && (typeof own !== "object" || own === null) && !written.has(name)) args[name] = own;
    // A new record's free text (a visit reason, a note) reads like the data's own.
    else if (example !== undefined && fieldIsText(schema)) args[name] = example;
    else if (s.kind === "create" || (input.parameters.required as string[] | undefined)?.includes(name) || used.has(name))
      // A value the call writes is a new one; a value it only names (a code, an email) is one the data holds.
      args[name] = (written.has(name) ? undefined : seenValue(state, name, schema, attempt)) ?? sampleFromSchema(name, schema, rng, clock);
  }
  // A value a text asks of some calls only ("gift_note pledges must use cadence=once"): the call
  // that is one of them gives it.
  for (const entry of s.requires) {
    const r = entry.rule as Requirement;
    if (r.kind !== "compare" || !entry.when?.length) continue;
    const { left, op, right } = r.condition;
    if (op !== "==" || left.kind !== "parameter" || left.path || right?.kind !== "constant") continue;
    const values: unknown = properties[left.name]?.enum;
    if (!Array.isArray(values) || !values.includes(right.value)) continue;
    if (entry.when.every((w) => conditionHolds(input, w, record, args))) args[left.name] = right.value;
  }
  // A flag the service turns down ("shareWithPublic … the service refuses it") is not set on a valid call.
  for (const r of requirement(model, "compare")) {
    const { left, op, right } = r.condition;
    if (op === "!=" && left.kind === "parameter" && !left.path && right?.kind === "constant" && typeof right.value === "boolean")
      if (args[left.name] === right.value) args[left.name] = !right.value;
  }
  withinClockBounds(input, args, record);
  return { args: conformArgs(args, properties, state) };
}

/** Parameters whose value (or first element: `device_ids.0`) keys the record an effect's place starts at. */
function rootKeys(s: ServiceModel): { table: string; parameter: string; element: boolean }[] {
  const out: { table: string; parameter: string; element: boolean }[] = [];
  for (const r of s.kind === "change" ? s.effects : []) {
    const key = "place" in r.rule ? r.rule.place.root?.key : undefined;
    if (key?.kind !== "parameter" || !("place" in r.rule) || !r.rule.place.root) continue;
    const element = key.path?.length === 1 && key.path[0] === "0";
    if (key.path && !element) continue;
    out.push({ table: r.rule.place.root.table, parameter: key.name, element });
  }
  return out;
}

/**
 * Arguments bent to the tool's own JSON Schema, so that a valid call is valid: keys read off the
 * data as text become numbers where the schema says integer, a value outside an enum becomes one
 * the data holds (else the enum's first), a number becomes text where text is asked.
 */
export function conformArgs(args: Row, properties: Readonly<Record<string, JsonSchema>>, state: DomainState): Row {
  const out: Row = {};
  for (const [name, value] of Object.entries(args)) {
    const schema = properties[name];
    out[name] = schema ? conformValue(value, schema, () => seenValue(state, name, schema, 0)) : value;
  }
  return out;
}

function conformValue(value: unknown, schema: JsonSchema, seen: () => unknown): unknown {
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  const choices = Array.isArray(schema.enum) ? (schema.enum as unknown[]) : null;
  if (choices && !choices.some((c) => c === value)) {
    const data = seen();
    return choices.find((c) => c === data) ?? choices.find((c) => String(c) === String(value)) ?? choices[0];
  }
  if ((type === "integer" || type === "number") && typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value)))
    return type === "integer" ? Math.trunc(Number(value)) : Number(value);
  if (type === "string" && (typeof value === "number" || typeof value === "boolean")) return String(value);
  if (type === "array" && Array.isArray(value) && schema.items && typeof schema.items === "object")
    return value.map((v) => conformValue(v, schema.items as JsonSchema, () => undefined));
  return value;
}

/**
 * A value the data holds for a field of this name (at any depth of any collection), of the type the
 * schema asks: what a person would give (a real email, a real code), the `attempt`-th of the distinct ones.
 */
function seenValue(state: DomainState, name: string, schema: JsonSchema, attempt: number): unknown {
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  const wanted = (v: unknown) =>
    type === "integer"
      ? Number.isInteger(v)
      : type === "number"
        ? typeof v === "number"
        : type === "boolean"
          ? typeof v === "boolean"
          : type === "string" || type === undefined
            ? typeof v === "string"
            : false;
  const found = new Set<string>();
  const values: unknown[] = [];
  const visit = (value: unknown, depth: number) => {
    if (depth > 5 || values.length >= 50 || !value || typeof value !== "object") return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1);
      return;
    }
    for (const [key, item] of Object.entries(value)) {
      if (key === name && wanted(item) && !found.has(JSON.stringify(item))) {
        found.add(JSON.stringify(item));
        values.push(item);
      } else visit(item, depth + 1);
    }
  };
  for (const table of Object.keys(state).sort()) visit(state[table], 0);
  const choices = Array.isArray(schema.enum) ? (schema.enum as unknown[]) : null;
  const usable = choices ? values.filter((v) => choices.includes(v)) : values;
  return usable.length > 0 ? usable[attempt % usable.length] : undefined;
}

/** A value the data's records hold in a same-named text field, the `attempt`-th of the distinct ones. */
function dataExample(state: DomainState, table: Table, name: string, attempt: number): string | undefined {
  const values = [...new Set(Object.values(state[table.name] ?? {}).map((r) => r[name]))].filter((v): v is string => typeof v === "string");
  return values.sort()[attempt % Math.max(1, values.length)];
}

const fieldIsText = (schema: JsonSchema) => schema.type === "string" && !schema.enum && !schema.format;

/** Parameters whose values a change writes into the data. */
function writtenParameters(s: ServiceModel): Set<string> {
  const out = new Set<string>();
  const visit = (value: ValueExpr) => {
    if (value.kind === "parameter") out.add(value.name);
    else if (value.kind === "object") for (const part of Object.values(value.fields)) visit(part);
  };
  for (const entry of s.effects) {
    if (entry.rule.kind === "set") visit(entry.rule.value);
    if (entry.rule.kind === "entry-set") for (const value of Object.values(entry.rule.set)) visit(value);
  }
  return out;
}

/** For each parameter a change writes whole into a field of its own record, the paths of those fields. */
function referencesWritten(s: ServiceModel): Map<string, string[][]> {
  const out = new Map<string, string[][]>();
  for (const { rule } of s.effects) {
    if (rule.kind !== "set" || rule.place.root || rule.place.hops.length > 0 || rule.value.kind !== "parameter" || rule.value.path)
      continue;
    out.set(rule.value.name, [...(out.get(rule.value.name) ?? []), rule.place.path]);
  }
  return out;
}

/** Every parameter a list of rules reads (`each` too: add-values over an array parameter). */
export function parametersIn(rules: readonly { rule: unknown; when?: unknown }[]): Set<string> {
  const out = new Set<string>();
  const visit = (value: unknown) => {
    if (!value || typeof value !== "object") return;
    const v = value as Record<string, unknown>;
    if (v.kind === "parameter" && typeof v.name === "string") out.add(v.name);
    if (typeof v.parameter === "string") out.add(v.parameter);
    if (typeof v.each === "string") out.add(v.each);
    for (const item of Object.values(v)) visit(item);
  };
  for (const r of rules) visit(r);
  return out;
}

function utilityArgs(input: ServiceInputs): Row {
  const properties = Object.keys((input.parameters.properties ?? {}) as object);
  const first = properties[0];
  if (!first) return {};
  return { [first]: service(input.model).utility === "calculate" ? "2 + 3 * 4" : "Checking what to do next." };
}

export interface BrokenCall {
  /** Which requirement the call breaks, by its index in `requires`. */
  rule: number;
  args: Row;
}

/** For each requirement, a call that breaks it and nothing else (when the data allows one). */
export function brokenCalls(input: ServiceInputs, valid: ServiceCall): BrokenCall[] {
  const { model, schema, state } = input;
  const s = service(model);
  const table = schema.tables.find((t) => t.name === s.table);
  const out: BrokenCall[] = [];
  s.requires.forEach((entry, index) => {
    const r = entry.rule as Requirement;
    const args = { ...valid.args };
    switch (r.kind) {
      case "status-in": {
        if (!table || r.place.hops.length > 0) return;
        const other = sortedRows(state, table).find((row) => !r.values.includes(String(valueIn(row, r.place.path))));
        if (!other) return;
        if (!pointAt(input, table, args, other)) return;
        break;
      }
      case "below": {
        if (!table) return;
        const full = sortedRows(state, table).find(
          (row) => Number(valueIn(row, r.place.path) ?? 0) >= r.limit && accepts({ ...input, model: withoutRule(model, index) }, row),
        );
        if (!full) return;
        if (!pointAt(input, table, args, full)) return;
        break;
      }
      case "parameter-in":
        args[r.parameter] = "not one of the allowed values";
        break;
      case "positive":
        args[r.parameter] = 0;
        break;
      case "at-most": {
        const record = valid.record ? state[valid.record.table]?.[valid.record.key] : undefined;
        const limit = Number(evaluate(input, r.limit, record, args));
        if (!Number.isFinite(limit)) return;
        args[r.parameter] = Math.round((limit + 1) * 100) / 100;
        break;
      }
      case "entry-of":
        args[r.parameter] = "no_such_entry_0000";
        break;
      case "record-exists":
        args[r.parameter] = `${schema.tables.find((t) => t.name === r.table)?.idPrefix ?? "x"}_no_such_record_0000`;
        break;
      case "elements-of":
        args[r.parameter] = ["no_such_element_0000"];
        break;
      case "slot-open":
        if (r.key.kind !== "parameter" || r.value.kind !== "parameter") return;
        args[r.key.name] = "1999-01-01";
        break;
      case "compare": {
        // A bound a text states on a money argument's amount ("amount_money may not exceed …") is
        // checked by a call that breaks it; other text conditions keep the valid call.
        const amountBound =
          r.condition.left.kind === "parameter" &&
          ((r.condition.left.path?.length === 1 && r.condition.left.path[0] === "amount") ||
            // A number argument against a number the text gives ("each credit is at most $50.00"): as plainly broken.
            (!r.condition.left.path && r.condition.right?.kind === "constant" && typeof r.condition.right.value === "number"));
        // "other needs contents_explanation": the call that gives the value and leaves the other out.
        const left = r.condition.left;
        const whenValue = (entry.when ?? []).every((w) => w.left.kind === "parameter" && w.op === "==" && w.right?.kind === "constant");
        if (r.condition.op === "given" && left.kind === "parameter" && !left.path && entry.when?.length && whenValue) {
          for (const w of entry.when) if (w.left.kind === "parameter" && w.right?.kind === "constant") args[w.left.name] = w.right.value;
          delete args[left.name];
          break;
        }
        // "a collaborative playlist must have public false": the call that sets the one flag and the other wrong.
        const right = r.condition.right;
        if (
          r.condition.op === "==" &&
          left.kind === "parameter" &&
          !left.path &&
          entry.when?.length &&
          whenValue &&
          right?.kind === "constant" &&
          typeof right.value === "boolean"
        ) {
          for (const w of entry.when) if (w.left.kind === "parameter" && w.right?.kind === "constant") args[w.left.name] = w.right.value;
          args[left.name] = !right.value;
          break;
        }
        // A text's condition on the record the call acts on ("to_be_paid_in_cents is 0") is checked by
        // a call on a record of the data that breaks it, when there is one.
        const onRecord = r.condition.left.kind === "read" && readsRecordOnly(r.condition);
        const brokenOnRecord =
          onRecord && entry.source !== "user" && entry.source !== "model" && !amountBound
            ? breakCondition(input, table, index, r.condition, valid, entry.when ?? [])
            : null;
        if (brokenOnRecord) {
          Object.assign(args, brokenOnRecord);
          break;
        }
        // "never on their own record": the call that names the same record twice (who acts, and what it acts on).
        const sameRecord =
          r.condition.op === "!=" &&
          left.kind === "parameter" &&
          !left.path &&
          (r.condition.right?.kind === "parameter" || (r.condition.right?.kind === "read" && !r.condition.right.place.root));
        // So are bounds against the clock, conditions on a related record's state, and conditions over the
        // records that refer to the record (no stock left at a location): by another record or value.
        // Others get no case of their own: the valid call is their check (relaxation takes out one it refuses).
        const checked =
          amountBound || againstClock(r.condition) || ofRelatedRecord(r.condition) || overReferringRecords(r.condition) || sameRecord;
        if (entry.source !== "user" && entry.source !== "model" && !checked) return;
        const broken = breakCondition(input, table, index, r.condition, valid, entry.when ?? []);
        if (!broken) return;
        Object.assign(args, broken);
        for (const key of Object.keys(args)) if (!(key in broken)) delete args[key];
        break;
      }
      case "covers": {
        const record = valid.record ? state[valid.record.table]?.[valid.record.key] : (valid.args as Row);
        const owner = reachRecord(state, record, r.place);
        const entries = entriesOf(valueIn(owner, r.place.path), r.keyField);
        const need = Number(evaluate(input, r.amount, record, args) ?? 0);
        const short = Object.entries(entries).find(([, e]) => typeof e[r.field] === "number" && (e[r.field] as number) < need);
        if (!short) return;
        args[r.parameter] = short[0];
        break;
      }
    }
    out.push({ rule: index, args });
  });
  return out;
}

/** Make a call act on another record: its key, or the fields that find it (false for the one record of a collection). */
function pointAt(input: ServiceInputs, table: Table, args: Row, record: Row): boolean {
  const s = service(input.model);
  if (s.keyParameter) args[s.keyParameter] = subjectKey(record, table, s);
  else if (s.match.length > 0) for (const m of s.match) args[m.parameter] = matchValue(input.state, table, record, m);
  else return false;
  return true;
}

function withoutRule(model: ToolModel, index: number): ToolModel {
  const s = service(model);
  return { ...model, service: { ...s, requires: s.requires.filter((_, i) => i !== index) } };
}

/** A UTC time written at an offset from UTC, in whole seconds, as the generated tools' `atOffset` writes it. */
function atOffset(iso: string, offset: string): string {
  const sign = offset.startsWith("-") ? -1 : 1;
  const minutes = sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  return `${new Date(Date.parse(iso) + minutes * 60_000).toISOString().slice(0, 19)}${offset}`;
}
