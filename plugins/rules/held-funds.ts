// Funds held for a transfer that has not moved yet: "a Pending Transaction (status `pending`, amount
// `-amount`, …) holds the funds on the source account, lowering its available balance only". Card
// authorisations, transfers awaiting approval, reservations of stock: a record of another table is
// made for the side the words name, with the signed amount and the quoted state, and the balance the
// words say it lowers goes down by the amount. An opening "with `require_approval: true`" is its condition.
import type { Condition, Effect, ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { nameWords } from "../../lib/data-pack/places.ts";
import { tableNamed } from "./clauses.ts";
import type { RuleContext } from "./context.ts";
import { newKeyOf } from "./counters.ts";
import { amountOf, balanceHolder, entryFields, flagCondition, sideOf } from "./paired-postings.ts";

/** "a pending transaction (…) holds the funds (…) on the source account" */
const HOLDS = /\ba\s+([a-z ]+?)\s+(?:\(([^)]*)\)\s+)?holds\s+the\s+(?:funds|amount|money)(?:\s+\(([^)]*)\))?(?:\s+on\s+the\s+(\w+)\s+\w+)?/;
/** "lowering its available balance" */
const LOWERS = /\blower(?:s|ing)\s+(?:its|the\s+\w+'s)\s+(\w+)\s+(balance|total|count)\b/;
/** "with `require_approval: true` …": the flag the sentence is about. */
const WITH = /^with\s+`?([a-z][a-z0-9_]*)(?::\s*|\s+)(true|false)`?/;

export function heldFunds(c: RuleContext): void {
  const target = c.target;
  if (!target || (c.subject.kind !== "change" && c.subject.kind !== "create")) return;
  for (const { sentence, source } of c.sentences("description")) {
    const m = HOLDS.exec(sentence);
    if (!m) continue;
    const table = tableNamed(c, m[1] as string);
    if (!table || table === target) continue;
    const said = `${m[2] ?? ""} ${m[3] ?? ""}`;
    const signed = /\bamount\s+`?([-+]?)([a-z_]+)`?/.exec(said);
    const amount = amountOf(c, signed?.[2] ?? "amount");
    const side = sideOf(c, m[4] ?? "source", signed?.[1] === "+" ? 1 : -1);
    if (!amount || !side) continue;
    const fields = entryFields(c, table, side, amount);
    if (!fields) continue;
    // The state the words give the hold ("status `pending`"), when it is one of its table's.
    const state = /\bstatus\s+`?([a-z_]+)`?/.exec(said)?.[1];
    if (state && table.status?.values.includes(state)) fields[table.status.field] = { kind: "constant", value: state };
    const when = conditionOf(c, sentence.slice(0, m.index));
    if (c.inserts.some((r) => r.rule.kind === "insert" && r.rule.table === table.name && JSON.stringify(r.when) === JSON.stringify(when)))
      continue;
    c.inserts.push({
      rule: { kind: "insert", table: table.name, key: newKeyOf(c.tables, c.data, table, c.records(table)), fields },
      source,
      text: sentence,
      ...(when.length > 0 ? { when } : {}),
    });
    lowered(c, sentence, side.field, amount, when, source);
  }
}

/** The flag the sentence opens with, or is under ("(`x` false or omitted)"). */
function conditionOf(c: RuleContext, before: string): Condition[] {
  const m = WITH.exec(before.trim());
  const param = m ? c.parameter(m[1] as string) : undefined;
  if (m && param?.type === "boolean")
    return m[2] === "true"
      ? [{ left: { kind: "parameter", name: param.name }, op: "==", right: { kind: "constant", value: true } }]
      : [{ left: { kind: "parameter", name: param.name }, op: "!=", right: { kind: "constant", value: true } }];
  return flagCondition(c, before);
}

/** "lowering its available balance": that balance of the side goes down by the amount. */
function lowered(
  c: RuleContext,
  sentence: string,
  field: string,
  amount: ValueExpr,
  when: Condition[],
  source: Parameters<RuleContext["effect"]>[1],
): void {
  const m = LOWERS.exec(sentence);
  if (!m) return;
  const [word, noun] = [m[1] as string, m[2] as string];
  const holder = balanceHolder(c, field, [word], noun);
  const number = holder?.fields.find((f) => nameWords(f.name).join(" ") === `${word} ${noun}`);
  if (!holder || !number) return;
  const rule: Effect = { kind: "add", place: { hops: [{ field, table: holder.name }], path: [number.name] }, amount, sign: -1 };
  // The same move under another condition (a pair's, when no hold is asked for) is another rule.
  const same = (r: { rule: unknown; when?: unknown }) => JSON.stringify([r.rule, r.when ?? []]) === JSON.stringify([rule, when]);
  if (!c.effects.some(same)) c.effects.push({ rule, source, text: sentence, ...(when.length > 0 ? { when } : {}) });
}
