// A record a value names, when it names one, and what a call does to it: "source_id is a card on
// file or a gift card id … for a gift card the balance is reduced by the amount and a REDEEM gift
// card activity is appended"; "if the payment was taken from a gift card, the gift card's
// balance_money grows by the amount and a REFUND gift card activity is appended". Payment APIs
// describe a source of funds this way: one argument (or one field of the record) holds the key of
// one of several kinds of thing, and only one kind has a balance that moves. The move and the entry
// are made on the calls whose value names a record of that table (and on no other call).
import type { Field, Table } from "../../lib/contracts/domain-schema.ts";
import type { Row } from "../../lib/contracts/domain-state.ts";
import type { Condition, Place, ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { leaves, nameWords } from "../../lib/data-pack/places.ts";
import { singular } from "../../lib/domain-model/words.ts";
import { clausesOf, tableNamed } from "./clauses.ts";
import { nowFor, type RuleContext } from "./context.ts";
import { newKeyOf } from "./counters.ts";
import { sameValue } from "./creation.ts";

const CHOSEN =
  /^(?:for\s+an?\s+([a-z][a-z ]*?)|if\s+the\s+[a-z_]+\s+was\s+(?:taken|paid|made|charged|funded)\s+(?:from|with|by|on)\s+an?\s+([a-z][a-z ]*?))(?:,\s*|\s+(?=the\s))(.+)$/;
const MOVE =
  /^(?:the\s+)?(?:[a-z ]+?'s\s+)?([a-z_ ]+?)\s+(is reduced|is decreased|decreases|goes down|is lowered|is debited|is increased|increases|grows|goes up|is raised|is credited)\s+by\s+(?:the\s+)?([a-z_ ]+)$/;
const ENTRY = /^an?\s+(⟦\d+⟧|[a-z_]+)\s+([a-z][a-z ]*?)\s+is\s+(?:appended|added|recorded|created|stored)\b/;

/** Moves and entries on the record a value names, each on the calls where it names one. */
export function chosenSources(c: RuleContext): void {
  const target = c.target;
  if (!target || (c.subject.kind !== "change" && c.subject.kind !== "create")) return;
  const clauses = clausesOf(c.sentences("description"));
  clauses.forEach((clause, i) => {
    const m = CHOSEN.exec(clause.text);
    if (!m) return;
    const phrase = (m[1] ?? m[2]) as string;
    const source = tableOfPhrase(c, phrase);
    if (!source || source === target) return;
    const key = keyNaming(c, target, source);
    if (!key) return;
    const when: Condition[] = [{ left: { kind: "lookup", table: source.name, key, path: [source.key] }, op: "given" }];
    // The rest of the clause, and an entry the next clause of the same sentence appends ("… is reduced by the amount; a REDEEM … is appended").
    const parts = (m[3] as string).split(/\s+and\s+(?=an?\s)/);
    const next = clauses[i + 1];
    if (next && next.sentence === clause.sentence && ENTRY.test(next.text)) parts.push(next.text);
    let moved = false;
    for (const part of parts) {
      const move = MOVE.exec(part.trim());
      if (move) moved = movement(c, source, key, move, when, clause.sentence, clause.source) || moved;
      const entry = ENTRY.exec(part.trim());
      if (entry && moved)
        made(c, source, key, entry, clause.quotes, `${clause.written} ${next?.written ?? ""}`, when, clause.sentence, clause.source);
    }
  });
}

/** "a square gift card": the table its words name, the leading qualifiers dropped until one does. */
function tableOfPhrase(c: RuleContext, phrase: string): Table | null {
  const words = phrase.trim().split(/\s+/);
  for (let i = 0; i < words.length; i++) {
    const table = tableNamed(c, words.slice(i).join(" "));
    if (table && nameWords(table.entity.replaceAll(" ", "_")).every((w) => words.slice(i).map(singular).includes(w))) return table;
  }
  return null;
}

/**
 * The value that holds a key of `source`: a text argument its description says may be one ("card on
 * file id, or gift card id"), else a text field of the tool's record some of whose values are its keys.
 */
function keyNaming(c: RuleContext, target: Table, source: Table): ValueExpr | null {
  const entity = nameWords(source.entity.replaceAll(" ", "_"));
  const param = c.text.parameters.find((p) => {
    if (p.type !== "string" || c.identifying.has(p.name)) return false;
    const said = nameWords(p.description.toLowerCase().replace(/[^a-z ]/g, " ")).map(singular);
    return entity.every((w) => said.includes(w));
  });
  if (param) return { kind: "parameter", name: param.name };
  if (c.subject.kind !== "change") return null;
  const keys = new Set(Object.keys(c.data[source.name] ?? {}));
  const rows = c.records(target);
  for (const leaf of leaves(target.fields)) {
    if (leaf.field.type !== "string" || leaf.path.length > 4) continue;
    const values = rows.map((r) => leaf.path.reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Row)[k] : undefined), r));
    if (values.some((v) => typeof v === "string" && keys.has(v))) return { kind: "read", place: { hops: [], path: leaf.path } };
  }
  return null;
}

/** "the balance is reduced by the amount": the source's number (or money) its words name, by the amount the call gives. */
function movement(
  c: RuleContext,
  source: Table,
  key: ValueExpr,
  move: RegExpExecArray,
  when: Condition[],
  sentence: string,
  from: Parameters<RuleContext["effect"]>[1],
): boolean {
  const said = nameWords((move[1] as string).replaceAll(" ", "_"));
  const field = source.fields.find(
    (f) =>
      said.every((w) => nameWords(f.name).includes(w)) &&
      (f.type === "integer" || f.type === "number" || (f.type === "object" && f.fields?.some((g) => g.name === "amount"))),
  );
  const amount = amountParameter(c, move[3] as string);
  if (!field || !amount) return false;
  const place: Place = {
    hops: [],
    path: field.type === "object" ? [field.name, "amount"] : [field.name],
    root: { table: source.name, key },
  };
  const sign = /reduced|decrease|down|lowered|debited/.test(move[2] as string) ? -1 : 1;
  c.effect({ kind: "add", place, amount, sign }, from, sentence, when);
  return true;
}

/** "the amount": the call's amount argument (a money object by its amount). */
function amountParameter(c: RuleContext, phrase: string): ValueExpr | null {
  const words = nameWords(phrase.replaceAll(" ", "_"));
  const param = c.text.parameters.find(
    (p) => words.every((w) => nameWords(p.name).includes(w)) && (p.type === "object" || p.type === "integer" || p.type === "number"),
  );
  if (!param) return null;
  return param.type === "object" ? { kind: "parameter", name: param.name, path: ["amount"] } : { kind: "parameter", name: param.name };
}

/** "a REDEEM gift card activity is appended": a record of the table named, of that kind, for the source's record. */
function made(
  c: RuleContext,
  source: Table,
  key: ValueExpr,
  entry: RegExpExecArray,
  quotes: readonly string[],
  written: string,
  when: Condition[],
  sentence: string,
  from: Parameters<RuleContext["effect"]>[1],
): void {
  const table = tableNamed(c, entry[2] as string);
  if (!table || table === source || table === c.target) return;
  const quoted = /^⟦(\d+)⟧$/.exec(entry[1] as string);
  const kindWord = quoted ? (quotes[Number(quoted[1])] ?? "") : (new RegExp(`\\b(${entry[1]})\\b`, "i").exec(written)?.[1] ?? "");
  const rows = c.records(table);
  const kindField = table.fields.find(
    (f) =>
      f.type === "string" &&
      rows.some((r) => typeof r[f.name] === "string" && (r[f.name] as string).toLowerCase() === kindWord.toLowerCase()),
  );
  const kind = kindField
    ? rows.map((r) => r[kindField.name]).find((v) => typeof v === "string" && v.toLowerCase() === kindWord.toLowerCase())
    : undefined;
  const link =
    table.fields.find((f) => f.references === source.name) ??
    table.fields.find((f) => f.name === `${source.entity.replaceAll(" ", "_")}_id`);
  if (!kindField || kind === undefined || !link) return;
  const fields: Record<string, ValueExpr> = { [link.name]: key, [kindField.name]: { kind: "constant", value: kind } };
  if (table.key) fields[table.key] = { kind: "new-key" };
  for (const f of table.fields as Field[]) {
    if (fields[f.name]) continue;
    if (f.format === "date-time" || /_at$/.test(f.name)) fields[f.name] = nowFor(f);
    else {
      const same = sameValue(rows.map((r) => r[f.name]));
      if (same !== undefined) fields[f.name] = { kind: "constant", value: same };
    }
  }
  if (c.inserts.some((r) => r.rule.kind === "insert" && r.rule.table === table.name)) return;
  c.inserts.push({
    rule: { kind: "insert", table: table.name, key: newKeyOf(c.tables, c.data, table, rows), fields },
    source: from,
    text: sentence,
    when,
  });
}
