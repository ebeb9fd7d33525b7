// Balances kept in a map under a value of the record a call acts on: "approving deducts the request
// amount from the employee's balance of that type and appends a "used" history item". The balance
// is the entry of a map of numbers (`time_off_balances`) on a record the tool's record refers to,
// under the value of the tool's record that the data shows among the map's keys (its `type`); the
// act ("approving") is the call that sets a parameter to that state; a ledger entry the clause
// appends is a record of the table it names, made from the call.
import type { Field, Table } from "../../lib/contracts/domain-schema.ts";
import type { Row } from "../../lib/contracts/domain-state.ts";
import type { Condition, Hop, Place, ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { nameWords } from "../../lib/data-pack/places.ts";
import { valueIn } from "../../lib/domain-model/service-arguments.ts";
import { type Clause, clausesOf, tableNamed } from "./clauses.ts";
import type { RuleContext } from "./context.ts";
import { newKeyOf } from "./counters.ts";
import { resolvePlace, resolveValue } from "./resolve.ts";

const MOVE =
  /^(?:(\w+ing)\s+(?:(?:an?|the)\s+(\w+)\s+\w+\s+)?)?(deducts|subtracts|takes|removes|gives|returns|adds|credits|restores)\s+(.+?)\s+(?:back\s+)?(?:from|to)\s+(.+?)(?:\s+and\s+(?:appends|adds|records|writes|creates|logs)\s+(?:an?\s+)?(.+))?$/;

interface Balance {
  /** The map's place on the record reached, without its key. */
  place: Place;
  /** The value that names the entry: a field of the tool's record, or a parameter. */
  key: ValueExpr;
  /** The field of the tool's record the key is read from (its name and the table it refers to), or the parameter's name. */
  keyField: Pick<Field, "name" | "references">;
  holder: Table;
}

/** "increment or decrement an employee's balance of one time off type": a move by the signed amount the call gives. */
const ADJUST = /^(?:manually\s+)?(?:increments?|adjusts?|changes?)(?:\s+or\s+(?:decrements?|decreases?))?\s+(.+)$/;
/** "Appends an "adjustment" history item dated today": the ledger entry of a move said in another sentence. */
const APPENDS = /^(?:.*\s)?(?:appends|adds|records|writes|logs)\s+(?:an?\s+)?(⟦\d+⟧\s+.+?)(?:\s+dated\b.*)?$/;

/** Moves of a balance kept under a value of the record, each on the calls its act names, and the ledger entries they append. */
export function keyedBalances(c: RuleContext): void {
  const target = c.target;
  if (!target || c.subject.kind !== "change") return;
  let last: Balance | null = null;
  const clauses = clausesOf(c.sentences("description"));
  for (const clause of clauses) {
    const adjusted = ADJUST.exec(clause.text);
    if (adjusted) {
      const balance = balanceNamed(c, target, adjusted[1] as string);
      const signed = c.text.parameters.find(
        (p) => (p.type === "number" || p.type === "integer") && /(^|_)(amount|delta|change)$/.test(p.name),
      );
      if (!balance || !signed) continue;
      const amount: ValueExpr = { kind: "parameter", name: signed.name };
      const place: Place = { ...balance.place, key: balance.key };
      c.effect({ kind: "add", place, amount, sign: 1 }, clause.source, clause.sentence);
      const entry = clauses.map((other) => APPENDS.exec(other.text)).find(Boolean);
      const said = clauses.find((other) => APPENDS.test(other.text));
      if (entry && said && !c.inserts.some((r) => r.rule.kind === "insert"))
        ledgerEntry(c, said, entry[1] as string, balance, place, amount, 1, []);
      continue;
    }
    const m = MOVE.exec(clause.text);
    if (!m) continue;
    const [, act, qualifier, verb, amountPhrase, placePhrase, entry] = m as unknown as (string | undefined)[];
    const balance: Balance | null =
      balanceNamed(c, target, placePhrase as string) ?? (/^(?:the\s+)?balance$/.test(placePhrase ?? "") ? last : null);
    if (!balance) continue;
    last = balance;
    const when = act ? actOf(c, act, qualifier) : [];
    if (when === null) continue;
    const amount = amountOf(c, (amountPhrase as string).replace(/\s+back$/, ""), clause.quotes);
    if (!amount) continue;
    const sign = /deducts|subtracts|takes|removes/.test(verb as string) ? -1 : 1;
    const place: Place = { ...balance.place, key: balance.key };
    c.effect({ kind: "add", place, amount, sign }, clause.source, clause.sentence, when);
    if (entry) ledgerEntry(c, clause, entry, balance, place, amount, sign, when);
  }
}

/** The maps of numbers of a table's records whose names have one of the words (`time_off_balances` for "balance"), with the keys they hold. */
function numberMaps(c: RuleContext, table: Table, words: readonly string[]): { field: Field; keys: Set<string> }[] {
  const out: { field: Field; keys: Set<string> }[] = [];
  for (const field of table.fields) {
    if (field.type !== "object") continue;
    const fieldWords = nameWords(field.name).map((w) => w.replace(/s$/, ""));
    if (!words.some((w) => w.length > 3 && fieldWords.includes(w.replace(/s$/, "")))) continue;
    const maps = c
      .records(table)
      .map((r) => r[field.name])
      .filter((v): v is Row => Boolean(v) && typeof v === "object");
    if (maps.length === 0 || !maps.every((m) => Object.values(m).every((v) => typeof v === "number"))) continue;
    out.push({ field, keys: new Set(maps.flatMap((m) => Object.keys(m))) });
  }
  return out;
}

/** Every text the data holds under a field of this name, in any table. */
function valuesNamed(c: RuleContext, name: string): string[] {
  return [...c.tables.values()].flatMap((t) =>
    t.fields.some((f) => f.name === name)
      ? c
          .records(t)
          .map((r) => r[name])
          .filter((v): v is string => typeof v === "string")
      : [],
  );
}

/** "the request amount": a number of the record (a money object's amount) before a parameter whose name shares a word. */
function amountOf(c: RuleContext, phrase: string, quotes: readonly string[]): ValueExpr | null {
  const place = resolvePlace(c, phrase, (k) => k === "money" || k === "number");
  if (place && place.place.hops.length === 0 && !place.place.root)
    return { kind: "read", place: place.kind === "money" ? { ...place.place, path: [...place.place.path, "amount"] } : place.place };
  const value = resolveValue(c, phrase, quotes);
  return value?.kind === "parameter" && !/(amount|quantity|count|hours|days|units)/.test(value.name) ? null : value;
}

/**
 * "the employee's balance of that type": a map of numbers whose name has the phrase's words (`time_off_balances`)
 * on a record the tool's record refers to, and the field of the tool's record whose values the data files it under.
 */
function balanceNamed(c: RuleContext, target: Table, phrase: string): Balance | null {
  const words = nameWords(phrase.replace(/'s\b/g, " "));
  const own = c.records(target);
  // On the tool's own record, under a value a parameter gives (`time_off_type`: the data's values of that name are the map's keys).
  if (c.subject.keyParameter)
    for (const map of numberMaps(c, target, words)) {
      const param = c.text.parameters.find((p) => {
        if (p.type !== "string") return false;
        const values = valuesNamed(c, p.name);
        return values.length > 0 && values.filter((v) => map.keys.has(v)).length / values.length >= 0.9;
      });
      if (param)
        return {
          place: { hops: [], path: [map.field.name] },
          key: { kind: "parameter", name: param.name },
          keyField: { name: param.name },
          holder: target,
        };
    }
  for (const hopField of target.fields) {
    const holder = hopField.references ? c.tables.get(hopField.references) : undefined;
    if (!holder || holder === target) continue;
    for (const map of holder.fields) {
      if (map.type !== "object") continue;
      const mapWords = nameWords(map.name).map((w) => w.replace(/s$/, ""));
      if (!words.some((w) => mapWords.includes(w.replace(/s$/, "")) && w.length > 3)) continue;
      const maps = c
        .records(holder)
        .map((r) => r[map.name])
        .filter((v): v is Row => Boolean(v) && typeof v === "object");
      const numbers = maps.length > 0 && maps.every((m) => Object.values(m).every((v) => typeof v === "number"));
      if (!numbers) continue;
      const keys = new Set(maps.flatMap((m) => Object.keys(m)));
      const keyField = target.fields.find((f) => {
        if (f.type !== "string" || f === hopField) return false;
        const values = own.map((r) => r[f.name]).filter((v) => typeof v === "string") as string[];
        return values.length > 0 && values.filter((v) => keys.has(v)).length / values.length >= 0.9;
      });
      if (!keyField) continue;
      const hop: Hop = { field: hopField.name, table: holder.name };
      return {
        place: { hops: [hop], path: [map.name] },
        key: { kind: "read", place: { hops: [], path: [keyField.name] } },
        keyField,
        holder,
      };
    }
  }
  return null;
}

const stem = (word: string) => word.toLowerCase().replace(/(?:ing|ed|es|e|s)$/, "");

/**
 * "approving": the calls that set a parameter to the state the act leads to (`status` "approved"); with
 * "an approved request", only on a record already in that state. Null when no parameter's value is the act.
 */
function actOf(c: RuleContext, act: string, qualifier: string | undefined): Condition[] | null {
  const out: Condition[] = [];
  const param = c.text.parameters.find((p) => p.enum?.some((v) => stem(String(v)) === stem(act)));
  const value = param?.enum?.find((v) => stem(String(v)) === stem(act));
  if (!param || value === undefined) return null;
  out.push({ left: { kind: "parameter", name: param.name }, op: "==", right: { kind: "constant", value } });
  if (qualifier) {
    const state = statePlace(c, qualifier);
    if (state) out.push({ left: { kind: "read", place: state }, op: "==", right: { kind: "constant", value: qualifier } });
  }
  return out;
}

/** The place of the record's state that the data shows holding `value` (`status.status` "approved"). */
function statePlace(c: RuleContext, value: string): Place | null {
  const target = c.target as Table;
  const records = c.records(target);
  const visit = (fields: readonly Field[], prefix: string[]): string[] | null => {
    for (const f of fields) {
      const path = [...prefix, f.name];
      if (f.type === "string" && /(^|_)(status|state)$/.test(f.name) && records.some((r) => valueIn(r, path) === value)) return path;
      if (f.type === "object" && f.fields && prefix.length < 2) {
        const inner = visit(f.fields, path);
        if (inner) return inner;
      }
    }
    return null;
  };
  const path = visit(target.fields, []);
  return path ? { hops: [], path } : null;
}

/**
 * "… and appends a "used" history item": a record of the table the words name, shaped as the data's:
 * its key the next, the quoted kind, the holder's and the tool's record's keys, the entry's key, the
 * date, the amount moved (signed), the balance after, fields the description sets (`created_by =
 * acting employee`), the rest empty.
 */
function ledgerEntry(
  c: RuleContext,
  clause: Clause,
  phrase: string,
  balance: Balance,
  place: Place,
  amount: ValueExpr,
  sign: 1 | -1,
  when: Condition[],
): void {
  const table = tableNamed(c, phrase.replace(/⟦\d+⟧/g, " "));
  const target = c.target as Table;
  if (!table || table === target || table === balance.holder) return;
  const rows = c.records(table);
  const key = newKeyOf(c.tables, c.data, table, rows);
  const quoted = /⟦(\d+)⟧/.exec(phrase);
  const kind = quoted ? clause.quotes[Number(quoted[1])] : undefined;
  const said = assignments(c);
  const hop = balance.place.hops[0] as Hop | undefined;
  const fields: Record<string, ValueExpr> = {};
  // The field the quoted kind goes in: the one whose values hold it, else the one named for kinds.
  const kindField =
    table.fields.find((f) => kind !== undefined && rows.some((r) => r[f.name] === kind)) ??
    table.fields.find((f) => f.type === "string" && /(^|_)(type|kind|event)$/.test(f.name) && !f.references);
  for (const f of table.fields) {
    // A required argument of the field's name (the note an adjustment must give) is what the entry records.
    const param = c.text.parameters.find((p) => p.name === f.name && p.required && p.type !== "array" && p.type !== "object");
    if (f.name === table.key) fields[f.name] = { kind: "new-key" };
    else if (said[f.name]) fields[f.name] = said[f.name] as ValueExpr;
    else if (kind !== undefined && f === kindField) fields[f.name] = { kind: "constant", value: kind };
    else if (param) fields[f.name] = { kind: "parameter", name: param.name };
    else if (hop && f.name === hop.field) fields[f.name] = { kind: "read", place: { hops: [], path: [hop.field] } };
    else if (f.references === target.name) fields[f.name] = { kind: "read", place: { hops: [], path: [target.key] } };
    else if ((f.references && f.references === balance.keyField.references) || f.name === balance.keyField.name)
      fields[f.name] = balance.key;
    else if (f.format === "date" || /(^|_)date$/.test(f.name)) fields[f.name] = { kind: "today" };
    else if (/_after$/.test(f.name)) fields[f.name] = { kind: "read", place, after: true };
    else if (/(^|_)(amount|delta|change|quantity)$/.test(f.name) && (f.type === "number" || f.type === "integer"))
      fields[f.name] = sign < 0 ? { kind: "arith", op: "-", left: { kind: "constant", value: 0 }, right: amount } : amount;
    else fields[f.name] = { kind: "constant", value: null };
  }
  c.inserts.push({
    rule: { kind: "insert", table: table.name, key, fields },
    source: clause.source,
    text: clause.sentence,
    ...(when.length > 0 ? { when } : {}),
  });
}

/** Fields the description sets for every entry it makes ("created_by = acting employee"), by name. */
function assignments(c: RuleContext): Record<string, ValueExpr> {
  const out: Record<string, ValueExpr> = {};
  for (const sentence of c.text.sentences)
    for (const m of sentence.matchAll(/\b([a-z][a-z0-9]*(?:_[a-z0-9]+)+)\s*=\s*([a-z][a-z ]+?)(?=[.;,)]|$)/g)) {
      const words = nameWords((m[2] as string).trim().replaceAll(" ", "_"));
      const exact = c.text.parameters.find((p) => {
        const own = nameWords(p.name).filter((w) => w !== "id");
        return own.length === words.length && own.every((w, i) => w === words[i]);
      });
      const value = exact ? ({ kind: "parameter", name: exact.name } as const) : resolveValue(c, m[2] as string, []);
      if (value?.kind === "parameter") out[m[1] as string] = value;
    }
  return out;
}
