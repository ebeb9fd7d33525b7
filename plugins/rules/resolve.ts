// What the words of a rule name in the data: a phrase ("the payment's refunded_money", "its
// status", "account_settings.next_comment_id", "the gift card's balance") to a place a tool can
// read or write, and a phrase ("'open'", "now", "the amount", "1", "the tier's points") to a value.
// Places are looked for on the tool's own record, on the records it refers to, on records its
// parameters name, and on the one record a settings or session collection holds; a phrase that
// matches none well is no place (a rule from it is not made).
import type { Field, Table } from "../../lib/contracts/domain-schema.ts";
import type { Place, ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { fieldAt, nameWords, reachable } from "../../lib/data-pack/places.ts";
import { valueIn } from "../../lib/domain-model/service-arguments.ts";
import { keyTable } from "../../lib/service-tools/subject.ts";
import { nowFor, type RuleContext } from "./context.ts";
import { describedRoles, HELD_ROLES } from "./parameter-roles.ts";

export type PlaceKind = "number" | "money" | "string" | "boolean" | "array" | "object" | "date";

export interface Candidate {
  place: Place;
  table: Table;
  field: Field;
  kind: PlaceKind;
  /** Words naming the record the place is on (its entity, and the parameter that names it). */
  owner: Set<string>;
  /** Words of the place's own path. */
  words: string[];
}

/** Phrases that only point ("the", "its") or count; left out when words are compared. */
const NOISE = new Set("the a an its their his her this that these those each every any new current given same own of for on in".split(" "));

const wordsOf = (phrase: string) => nameWords(phrase.replace(/'s\b/g, " ")).filter((w) => !NOISE.has(w));

function kindOf(field: Field): PlaceKind {
  // A time is a time however the data writes it (Unix seconds are integers).
  if (field.unixSeconds) return "date";
  if (field.type === "number" || field.type === "integer") return "number";
  if (field.type === "boolean") return "boolean";
  if (field.type === "array") return "array";
  if (field.type === "object") {
    const amount = field.fields?.find((f) => f.name === "amount" && (f.type === "number" || f.type === "integer"));
    return amount ? "money" : "object";
  }
  if (field.format === "date" || field.format === "date-time") return "date";
  return "string";
}

/** A text field every record writes as a decimal number (`"150.00"`, as many APIs write money): a number to move. */
function decimalText(c: RuleContext, table: Table, path: readonly string[]): boolean {
  const values = c.records(table).map((r) => valueIn(r, path));
  const texts = values.filter((v) => v !== null && v !== undefined);
  return texts.length > 0 && texts.every((v) => typeof v === "string" && /^-?\d+\.\d+$/.test(v));
}

const known = new WeakMap<RuleContext, Candidate[]>();

/** Every place a tool's rules may speak of, nearest first (made once per tool). */
export function candidatesOf(c: RuleContext): Candidate[] {
  let list = known.get(c);
  if (!list) {
    list = candidates(c);
    known.set(c, list);
  }
  return list;
}

function candidates(c: RuleContext): Candidate[] {
  const target = c.target;
  const out: Candidate[] = [];
  const add = (table: Table, base: Omit<Place, "path">, owner: Set<string>) => {
    const visit = (fields: readonly Field[], prefix: string[]) => {
      for (const field of fields) {
        const path = [...prefix, field.name];
        const kind = kindOf(field) === "string" && decimalText(c, table, path) ? "number" : kindOf(field);
        out.push({ place: { ...base, path }, table, field, kind, owner, words: nameWords(path.join("_")) });
        if (field.type === "object" && field.fields && prefix.length < 3) visit(field.fields, path);
      }
    };
    visit(table.fields, []);
  };
  const entity = (t: Table) => new Set(nameWords(t.entity.replaceAll(" ", "_")));
  if (target) {
    for (const { table, hops } of reachable(c.tables, target)) {
      const owner = entity(table);
      // A record reached through a field is named by that field's words too (`card_details.card.id` → card).
      for (const hop of hops) for (const w of nameWords(hop.field)) if (w !== "id") owner.add(w);
      // The record held, when the call names another of its table: the one moved away from ("the old section").
      if (hops.length === 1 && table !== target && namedByParameter(c, table)) for (const w of HELD_ROLES) owner.add(w);
      add(table, { hops }, owner);
    }
  }
  // A table keyed by another's keys (an account's `balances` record, keyed by the account's id) is
  // reached by the same reference: "the account's available balance".
  if (target)
    for (const ref of target.fields) {
      const other = ref.references ? c.tables.get(ref.references) : undefined;
      if (!other) continue;
      for (const satellite of satellitesOf(c, other)) {
        const owner = new Set([...entity(satellite), ...entity(other), ...nameWords(ref.name).filter((w) => w !== "id")]);
        add(satellite, { hops: [{ field: ref.name, table: satellite.name }] }, owner);
      }
    }
  // Records the call's parameters name (the acting employee, the destination account).
  for (const p of c.text.parameters) {
    const table = keyTable(p, [...c.tables.values()]);
    if (!table || table === target) continue;
    const owner = entity(table);
    for (const w of [...nameWords(p.name), ...describedRoles(p, table)]) if (w !== "id") owner.add(w);
    add(table, { hops: [], root: { table: table.name, key: { kind: "parameter", name: p.name } } }, owner);
  }
  for (const table of c.tables.values())
    if (table.storage === "single") add(table, { hops: [], root: { table: table.name } }, entity(table));
  for (const { table, where, named } of pairedRecords(c)) {
    const owner = entity(table);
    for (const p of named) for (const w of nameWords(p)) if (w !== "id") owner.add(w);
    add(table, { hops: [], root: { table: table.name, where } }, owner);
  }
  return out;
}

/**
 * Records no parameter names by key but two or more name by their references: the stock level of
 * the item a call names at the location it names (`inventory_item_id` and `from_location_id` for a
 * level's `inventory_item_id` and `location_id`), once per way of naming it (the source's and the
 * destination's level of a move).
 */
function pairedRecords(c: RuleContext): { table: Table; where: { field: string; value: ValueExpr }[]; named: string[] }[] {
  const tables = [...c.tables.values()];
  const out: { table: Table; where: { field: string; value: ValueExpr }[]; named: string[] }[] = [];
  for (const table of tables) {
    // A record the call makes is not one it finds.
    if (table.storage === "single" || (table === c.target && c.subject.kind === "create")) continue;
    const references = table.fields.filter((f) => f.references && f.references !== table.name);
    const bindings = references
      .map((f) => ({
        field: f.name,
        params: c.text.parameters.filter((p) => p.name === f.name || (p.type !== "array" && keyTable(p, tables)?.name === f.references)),
      }))
      .filter((b) => b.params.length > 0);
    // Every reference given: a record the call singles out, not a history of them (an entry's transfer left unsaid).
    if (bindings.length < 2 || bindings.length < references.length) continue;
    let ways: { where: { field: string; value: ValueExpr }[]; named: string[] }[] = [{ where: [], named: [] }];
    for (const b of bindings)
      ways = ways.flatMap((w) =>
        b.params
          .filter((p) => !w.named.includes(p.name))
          .map((p) => ({
            where: [...w.where, { field: b.field, value: { kind: "parameter", name: p.name } as ValueExpr }],
            named: [...w.named, p.name],
          })),
      );
    // The tool's own record is reached as itself, not as a record it names (its other ways are others: a move's destination level).
    if (table === c.target) ways = ways.filter((w) => !w.named.every((n) => c.identifying.has(n)));
    // More than a few ways is a table the call does not single out (every pair of its many references).
    if (ways.length > 0 && ways.length <= 4) for (const w of ways) out.push({ table, ...w });
  }
  return out;
}

/** Tables whose records are keyed by the keys of `table`'s records, one each at most (not `table` itself). */
function satellitesOf(c: RuleContext, table: Table): Table[] {
  const keys = new Set(Object.keys(c.data[table.name] ?? {}));
  if (keys.size === 0) return [];
  return [...c.tables.values()].filter((t) => {
    if (t === table || t.storage === "single" || t.fields.some((f) => f.references === table.name)) return false;
    const own = Object.keys(c.data[t.name] ?? {});
    return own.length >= 2 && own.every((k) => keys.has(k));
  });
}

/**
 * The place a phrase names, or null: `table.field` written out, else the candidate whose path the
 * phrase's words name best (every word of its last step at least), on the record the phrase's
 * owner words name (the tool's own record when it names none).
 */
export function resolvePlace(c: RuleContext, phrase: string, want?: (kind: PlaceKind) => boolean): Candidate | null {
  const all = candidatesOf(c).filter((k) => !want || want(k.kind));
  // A parameter written out ("available at from_location_id") names the record, not a field of it:
  // its words say whose, and its `id` is no field named.
  const given = c.text.parameters.filter((p) => /_/.test(p.name) && new RegExp(`(^|[^a-z_])${p.name}($|[^a-z_])`).test(phrase));
  // Written out: `account_settings.next_comment_id`, `refund_ids`, `satisfaction_rating.score`.
  for (const token of phrase.match(/[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)+|[a-z][a-z0-9]*(?:_[a-z0-9]+)+/g) ?? []) {
    // "from_wallet's spendable_balance": the owner written out names whose field, not the field.
    if (phrase.includes(`${token}'s `) && c.parameter(token)) continue;
    const steps = token.split(".");
    const onTable = all.filter((k) => k.table.name === steps[0] && k.place.path.join(".") === steps.slice(1).join("."));
    if (onTable.length > 0) return nearest(onTable);
    const onPath = all.filter((k) => k.place.path.join(".") === token || k.place.path.at(-1) === token);
    // (Not when the token is that parameter: a record is not written at the field it is found by.)
    const bound = onPath.filter((k) => given.length > 0 && !c.parameter(token) && given.every((p) => rootBinds(c, k.place, p.name)));
    if (bound.length > 0) return nearest(bound);
    if (onPath.length > 0) return nearest(ownedBy(onPath, wordsOf(phrase.replace(token, ""))));
  }
  const allWords = wordsOf(phrase);
  if (allWords.length === 0) return null;
  const givenWords = new Set(given.flatMap((p) => nameWords(p.name)));
  const fieldWords = allWords.filter((w) => !givenWords.has(w));
  if (fieldWords.length === 0) return null;
  let best: { k: Candidate; score: number } | null = null;
  for (const k of all) {
    const bound = given.some((p) => rootBinds(c, k.place, p.name));
    const words = fieldWords;
    const last = nameWords(k.place.path.at(-1) as string).filter((w) => !NOISE.has(w));
    if (last.length === 0 || !last.every((w) => words.includes(w))) continue;
    const named = k.words.filter((w) => words.includes(w)).length;
    const ownerWords = allWords.filter((w) => k.owner.has(w)).length + (bound ? 1 : 0);
    const leftover = words.filter((w) => !k.words.includes(w) && !k.owner.has(w)).length;
    const distance = k.place.root ? 1 : k.place.hops.length;
    // Owner words that name another record than this one count against it.
    const score = named * 10 + ownerWords * 6 - leftover * 3 - distance * 2 - (k.place.path.length - 1);
    if (!best || score > best.score) best = { k, score };
  }
  return best && best.score > 0 ? best.k : null;
}

/**
 * The places a phrase names: one, or for "both levels' updated_at" every record of that table the
 * call singles out by its references (the source's and the destination's level of a move).
 */
export function resolveBoth(c: RuleContext, phrase: string, want?: (kind: PlaceKind) => boolean): Candidate[] {
  const both = /^(?:both|each of the two|the two)\s+(.+)$/.exec(phrase.trim());
  const one = resolvePlace(c, both ? (both[1] as string) : phrase, want);
  if (!one) return [];
  if (!both) return [one];
  const table = one.table.name;
  const path = one.place.path.join(".");
  const paired = candidatesOf(c).filter(
    (k) =>
      k.place.path.join(".") === path &&
      ((k.place.root?.where && k.place.root.table === table) || (!k.place.root && k.place.hops.length === 0 && k.table.name === table)),
  );
  return paired.length >= 2 ? paired : [one];
}

/** Whether a place starts at a record the parameter names (by key, or as one of the fields that find it). */
function rootBinds(c: RuleContext, place: Place, parameter: string): boolean {
  // The tool's own record, found by that parameter.
  if (!place.root && place.hops.length === 0) return c.identifying.has(parameter);
  const named = (v: ValueExpr | undefined) => v?.kind === "parameter" && v.name === parameter;
  return named(place.root?.key) || (place.root?.where ?? []).some((w) => named(w.value));
}

function nearest(list: Candidate[]): Candidate {
  return [...list].sort((a, b) => (a.place.root ? 1 : a.place.hops.length) - (b.place.root ? 1 : b.place.hops.length))[0] as Candidate;
}

/** The candidates whose owner the most of the words name ("the old section's": the held one, not the target), else all. */
function ownedBy(list: Candidate[], words: readonly string[]): Candidate[] {
  const count = (k: Candidate) => words.filter((w) => k.owner.has(w)).length;
  const most = Math.max(0, ...list.map(count));
  return most > 0 ? list.filter((k) => count(k) === most) : list;
}

const NUMBER = /^-?\d+(?:\.\d+)?$/;

/**
 * The value a phrase says, for a place of `target`'s kind: a quoted or known state (as the data
 * spells it), a number, now or today, true/false/null, a parameter (by its name or its words), or
 * another place's value. Null when it says none of these.
 */
export function resolveValue(
  c: RuleContext,
  phrase: string,
  quotes: readonly string[],
  target?: Candidate,
  written?: string,
): ValueExpr | null {
  const text = phrase
    .trim()
    .replace(/[.,;]+$/, "")
    .replace(/^(?:the\s+)?(?:value\s+)?/, "");
  // "min(deposit_held_in_cents, to_be_paid_in_cents)", "the smaller of A and B": the lesser (or greater) of two values.
  const extreme =
    /^(min|max)\s*\(\s*([^,()]+?)\s*,\s*([^,()]+?)\s*\)$/.exec(text) ??
    /^(?:the\s+)?(smaller|lesser|larger|greater)\s+of\s+(.+?)\s+and\s+(.+)$/.exec(text);
  if (extreme) {
    const number: Candidate | undefined = target ? { ...target, kind: "number" } : undefined;
    const [left, right] = [resolveValue(c, extreme[2] as string, quotes, number), resolveValue(c, extreme[3] as string, quotes, number)];
    if (!left || !right) return null;
    const op = /^(min|smaller|lesser)$/.test(extreme[1] as string) ? "min" : "max";
    return { kind: "arith", op, left, right };
  }
  // Arithmetic: "price_each_in_cents x quantity x days", "the balance minus the amount".
  for (const [pattern, op] of [
    [/\s+(?:plus|\+)\s+/, "+"],
    [/\s+(?:minus|less|-)\s+/, "-"],
    [/\s+(?:x|×|\*|times|multiplied by)\s+/, "*"],
    [/\s+(?:divided by|\/)\s+/, "/"],
  ] as const) {
    const parts = text.split(pattern);
    if (parts.length < 2) continue;
    const number: Candidate | undefined = target ? { ...target, kind: "number" } : undefined;
    const values = parts.map((part) => resolveValue(c, part, quotes, number));
    if (values.some((v) => !v)) return null;
    return (values as ValueExpr[]).reduce((left, right) => ({ kind: "arith", op, left, right }));
  }
  const quoted = /^⟦(\d+)⟧/.exec(text);
  if (quoted) return constantFor(quotes[Number(quoted[1])] ?? "", target);
  if (NUMBER.test(text)) return { kind: "constant", value: Number(text) };
  if (/^(one|once)$/.test(text)) return { kind: "constant", value: 1 };
  if (/^(now|the current time|the time of the call|the current date and time)\b/.test(text))
    return target && target.field.format === "date" ? { kind: "today" } : nowFor(target?.field ?? {});
  if (/^(today|today's date|the current date|the date of the call)\b/.test(text)) return { kind: "today" };
  if (/^(true|yes)$/.test(text)) return { kind: "constant", value: true };
  if (/^(false|no)$/.test(text)) return { kind: "constant", value: false };
  // A flag said in words: "wifi must be on", "roaming becomes disabled".
  if (target?.kind === "boolean" && /^(on|enabled|active|allowed|set)$/.test(text)) return { kind: "constant", value: true };
  if (target?.kind === "boolean" && /^(off|disabled|inactive|blocked|unset)$/.test(text)) return { kind: "constant", value: false };
  if (/^(null|none|nothing|empty)$/.test(text)) return { kind: "constant", value: target?.kind === "array" ? [] : null };
  // A parameter by its name, or by its words ("the amount", "the given quantity").
  const param =
    c.text.parameters.find((p) => new RegExp(`(^|[^a-z_])${p.name}($|[^a-z_])`).test(text)) ??
    c.text.parameters.find((p) => {
      const w = wordsOf(text);
      const pw = nameWords(p.name).filter((x) => x !== "id");
      return pw.length > 0 && pw.every((x) => w.includes(x)) && w.length <= pw.length + 1;
    }) ??
    headedBy(c, wordsOf(text)) ??
    roleNamed(c, wordsOf(text));
  if (param) {
    // A part of an object parameter written out ("details.amount_money"); money given as an object
    // ({amount, currency}) added to a number: its amount.
    const dotted = new RegExp(`(?:^|[^a-z_])${param.name}((?:\\.[a-z_]+)+)`).exec(text)?.[1]?.slice(1).split(".") ?? [];
    const money = param.type === "object" && target && target.kind === "number" && dotted.at(-1) !== "amount";
    const path = [...dotted, ...(money ? ["amount"] : [])];
    return path.length > 0 ? { kind: "parameter", name: param.name, path } : { kind: "parameter", name: param.name };
  }
  const state = target?.field.enum?.find((v) => String(v).toLowerCase() === text.toLowerCase());
  if (state !== undefined) return { kind: "constant", value: state };
  const place = resolvePlace(c, text, (kind) => !target || kind === target.kind || (kind === "money" && target.kind === "number"));
  if (place && place.place.path.length > 0) {
    const money = place.kind === "money" && target?.kind === "number";
    return { kind: "read", place: money ? { ...place.place, path: [...place.place.path, "amount"] } : place.place };
  }
  // "becomes the given list": the call's one array argument.
  const arrays = c.text.parameters.filter((p) => p.type === "array");
  if (/^(?:the\s+)?given\s+(?:list|ids|values|array|items)$/.test(text) && arrays.length === 1 && (!target || target.kind === "array"))
    return { kind: "parameter", name: (arrays[0] as (typeof arrays)[number]).name };
  const unitless = numberWithoutUnit(c, text, target);
  if (unitless) return unitless;
  // A code written out for a state or a closed set of values ("AWAITING_PAYMENT", "on_hold"), as written.
  const bare = (written ?? phrase).trim().replace(/[.,;]+$/, "");
  const closed = target && (target.field.enum !== undefined || target.table.status?.field === target.place.path.at(-1));
  if (
    target &&
    (target.kind === "string" || target.kind === "date") &&
    /^[A-Za-z][A-Za-z0-9_-]*$/.test(bare) &&
    (closed || /[_A-Z]{3,}/.test(bare))
  )
    return constantFor(bare, target);
  return null;
}

/** Words that only give a number's unit (`deposit_in_cents`, `fee_usd`). */
const UNIT_WORDS = new Set(["in", "cents", "cent", "usd", "eur", "gbp", "minor", "units"]);

/**
 * "by the deposit", "amount_in_cents = deposit": the number of the tool's own record the phrase
 * names but for its unit (`deposit_in_cents`), when exactly one does.
 */
function numberWithoutUnit(c: RuleContext, text: string, target: Candidate | undefined): ValueExpr | null {
  if (target && target.kind !== "number" && target.kind !== "money") return null;
  const words = wordsOf(text);
  if (words.length === 0) return null;
  const found = candidatesOf(c).filter((k) => {
    if (k.kind !== "number" || k.place.hops.length > 0 || k.place.root || k.place.path.length !== 1) return false;
    const own = nameWords(k.place.path[0] as string);
    const bare = own.filter((w) => !UNIT_WORDS.has(w));
    return bare.length < own.length && bare.length === words.length && bare.every((w, i) => w === words[i]);
  });
  return found.length === 1 ? { kind: "read", place: (found[0] as Candidate).place } : null;
}

/** "the amount" for amount_in_cents: the one parameter whose name starts with the phrase's only word. */
function headedBy(c: RuleContext, words: readonly string[]): RuleContext["text"]["parameters"][number] | undefined {
  if (words.length !== 1) return undefined;
  const found = c.text.parameters.filter((p) => nameWords(p.name)[0] === words[0] && nameWords(p.name).length > 1);
  return found.length === 1 ? found[0] : undefined;
}

/** "the target" for a `section_id` described as the target section's: the one parameter whose record plays that role. */
function roleNamed(c: RuleContext, words: readonly string[]): RuleContext["text"]["parameters"][number] | undefined {
  if (words.length !== 1) return undefined;
  const tables = [...c.tables.values()];
  const found = c.text.parameters.filter((p) => {
    const table = keyTable(p, tables);
    return table !== undefined && describedRoles(p, table).includes(words[0] as string);
  });
  return found.length === 1 ? found[0] : undefined;
}

/** Whether one of the call's parameters names a record of `table` by its key. */
function namedByParameter(c: RuleContext, table: Table): boolean {
  const tables = [...c.tables.values()];
  return c.text.parameters.some((p) => keyTable(p, tables) === table);
}

/** A quoted value, spelt as the data spells the field's values (`Active` where the data writes `Active`). */
function constantFor(value: string, target?: Candidate): ValueExpr {
  if (target?.kind === "number" && NUMBER.test(value)) return { kind: "constant", value: Number(value) };
  if (target?.kind === "boolean" && /^(true|false)$/.test(value)) return { kind: "constant", value: value === "true" };
  const known = target?.field.enum?.find((v) => String(v).toLowerCase() === value.toLowerCase());
  if (known !== undefined) return { kind: "constant", value: known };
  // Written with a case of its own (`AWAITING_PAYMENT`, `InProgress`): kept as written.
  if (value !== value.toLowerCase()) return { kind: "constant", value };
  const values = (target?.field.enum ?? []).map(String);
  if (values.length > 0 && values.every((v) => v === v.toUpperCase() && /[A-Z]/.test(v)))
    return { kind: "constant", value: value.toUpperCase() };
  if (values.length > 0 && values.every((v) => /^[A-Z][a-z]/.test(v)))
    return { kind: "constant", value: value.charAt(0).toUpperCase() + value.slice(1).toLowerCase() };
  return { kind: "constant", value };
}

/** The field a place is at (for its format and enum), through the table's structs. */
export function fieldOfPlace(c: RuleContext, place: Place): Field | undefined {
  const table = place.root
    ? c.tables.get(place.root.table)
    : place.hops.length > 0
      ? c.tables.get((place.hops.at(-1) as { table: string }).table)
      : c.target;
  return table ? fieldAt(table, place.path) : undefined;
}

/** The status fields of the records a tool reaches (its own first), as places. */
export function resolveStatusPlaces(c: RuleContext): Candidate[] {
  return candidatesOf(c).filter((k) => {
    const status = k.table.status?.field;
    return status !== undefined && k.place.path.length === 1 && k.place.path[0] === status;
  });
}
