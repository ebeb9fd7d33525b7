// Numbers kept on other records that a change moves, as API references state them: "each
// variation's inventory count quantity is decremented by the order's quantity of it" (the records a
// list of the tool's record names, each by the element's own amount), and "if the order's customer
// has a loyalty account, it earns points …: 2 points per whole dollar of total_money, added to
// balance and lifetime_points" (the record of another table that points back at a record the tool's
// record names). Without them a completed sale leaves stock and points as they were.
import type { Field, Table } from "../../lib/contracts/domain-schema.ts";
import type { Row } from "../../lib/contracts/domain-state.ts";
import type { ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { nameWords } from "../../lib/data-pack/places.ts";
import { singular } from "../../lib/domain-model/words.ts";
import { clausesOf } from "./clauses.ts";
import { here, nowFor, type RuleContext } from "./context.ts";

const MOVED =
  /^(?:for\s+)?(?:each|every)\s+(.+?)\s+(?:is|are|gets?)\s+(decremented|reduced|lowered|decreased|incremented|increased|raised)\s+by\s+(.+)$/;
/** "calculated_at set to now", the clause after the move: written on each record moved. */
const STAMPED = /^([a-z][a-z0-9_]*)\s+(?:is\s+)?set\s+to\s+(now|today)$/;

/** Both readings, on a change tool's description. */
export function relatedCounts(c: RuleContext): void {
  if (!c.target || c.subject.kind !== "change") return;
  listedCounts(c, c.target);
  earnedPoints(c, c.target);
}

const words = (text: string) => nameWords(text.replace(/'s\b/g, " ")).map(singular);
const numeric = (v: unknown) => typeof v === "number" || (typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v));

/** Whether every value the data holds at `field` of `rows` is a number, or a number written as text. */
function numbersAt(rows: readonly Row[], field: string): boolean {
  const values = rows.map((r) => r[field]).filter((v) => v !== undefined && v !== null);
  return values.length > 0 && values.every(numeric);
}

/** "each variation's inventory count quantity is decremented by the order's quantity of it". */
function listedCounts(c: RuleContext, target: Table): void {
  const clauses = clausesOf(c.sentences("description"));
  clauses.forEach((clause, i) => {
    const m = MOVED.exec(clause.text);
    if (!m) return;
    const said = words(m[1] as string);
    const amountWords = words(m[3] as string);
    for (const list of target.fields) {
      const fields = list.type === "array" ? list.items?.fields : undefined;
      if (!fields) continue;
      const elements = c.records(target).flatMap((r) => (Array.isArray(r[list.name]) ? (r[list.name] as Row[]) : []));
      for (const link of fields) {
        const table = link.references ? c.tables.get(link.references) : undefined;
        if (!table || table === target) continue;
        // The table the clause names: every word of its entity said ("inventory count").
        if (!words(table.entity).every((w) => said.includes(w))) continue;
        const counted = countField(c, table, said);
        const amount = fields.find((f) => f !== link && words(f.name).every((w) => amountWords.includes(w)) && numbersAt(elements, f.name));
        if (!counted || !amount) continue;
        const next = clauses[i + 1];
        const stamp = next && next.sentence === clause.sentence ? STAMPED.exec(next.text) : null;
        const stamped = stamp ? table.fields.find((f) => f.name === stamp[1]) : undefined;
        const set: Record<string, ValueExpr> | undefined = stamped
          ? { [stamped.name]: stamp?.[2] === "now" ? nowFor(stamped) : { kind: "today" } }
          : undefined;
        c.effect(
          {
            kind: "add-each",
            place: here([list.name]),
            named: { table: table.name, field: link.name },
            path: [counted.name],
            amount: { kind: "item", path: [amount.name] },
            sign: /decrement|reduce|lower|decrease/.test(m[2] as string) ? -1 : 1,
            ...(set ? { set } : {}),
          },
          clause.source,
          clause.sentence,
        );
        return;
      }
    }
  });
}

/** The number of a table's records a phrase names by its last word that is a field (`quantity`). */
function countField(c: RuleContext, table: Table, said: readonly string[]): Field | undefined {
  const rows = c.records(table);
  return [...said]
    .reverse()
    .map((w) => table.fields.find((f) => f.name !== table.key && words(f.name).join(" ") === w && numbersAt(rows, f.name)))
    .find(Boolean);
}

const EARNS =
  /\b(?:if|when)\s+the\s+([a-z_]+)'s\s+([a-z_]+)\s+has\s+an?\s+([a-z_ ]+?),\s+(?:it|that \w+|the \w+)\s+(?:earns|gains|accrues|receives|collects|is credited)\s+([a-z_]+)/;
const RATE =
  /\b(\d+)\s+([a-z_]+)\s+(?:per|for each|for every)\s+(whole\s+)?(dollar|euro|pound|unit|cent)\s+(?:of|in|spent of)\s+([a-z_.]+)/;
const INTO = /\badded\s+to\s+(?:the\s+(?:account's\s+)?)?([a-z_]+)(?:\s+and\s+([a-z_]+))?/;

/**
 * "if the order's customer has a loyalty account, it earns points …: 2 points per whole dollar of
 * total_money, added to balance and lifetime_points": the record of the table named that refers to
 * the record the tool's record names (the customer), its fields moved by the rate times the whole
 * dollars of the tool's record's money field (amounts kept in cents).
 */
function earnedPoints(c: RuleContext, target: Table): void {
  for (const { sentence, source } of c.sentences("description")) {
    const m = EARNS.exec(sentence);
    const rate = RATE.exec(sentence);
    const into = INTO.exec(sentence);
    if (!m || !rate || !into) continue;
    const owner = [...c.tables.values()].find((t) => words(t.entity).join(" ") === words(m[2] as string).join(" "));
    const account = [...c.tables.values()].find((t) => words(t.entity).join(" ") === words(m[3] as string).join(" "));
    if (!owner || !account || account === target) continue;
    const hop = target.fields.find((f) => f.references === owner.name);
    const back = account.fields.find((f) => f.references === owner.name);
    if (!hop || !back) continue;
    const money = (rate[5] as string).split(".");
    const field = target.fields.find((f) => f.name === money[0]);
    if (!field) continue;
    const amountPath = field.type === "object" && money.length === 1 ? [...money, "amount"] : money;
    // Amounts kept as whole numbers (cents): a whole dollar is 100 of them.
    const cents = /dollar|euro|pound/.test(rate[4] as string) && integersAt(c, target, amountPath);
    const base: ValueExpr = { kind: "read", place: here(amountPath) };
    const whole: ValueExpr = cents ? { kind: "arith", op: "//", left: base, right: { kind: "constant", value: 100 } } : base;
    const amount: ValueExpr = { kind: "arith", op: "*", left: whole, right: { kind: "constant", value: Number(rate[1]) } };
    const rows = c.records(account);
    for (const name of [into[1], into[2]]) {
      const moved = name ? account.fields.find((f) => f.name === name && numbersAt(rows, f.name)) : undefined;
      if (!moved) continue;
      c.effect(
        {
          kind: "add-each",
          place: { hops: [{ field: hop.name, table: owner.name }], path: [] },
          of: { table: account.name, field: back.name },
          path: [moved.name],
          amount,
          sign: 1,
        },
        source,
        sentence,
      );
    }
  }
}

function integersAt(c: RuleContext, table: Table, path: readonly string[]): boolean {
  const values = c.records(table).map((r) => path.reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Row)[k] : undefined), r));
  const numbers = values.filter((v): v is number => typeof v === "number");
  return numbers.length > 0 && numbers.every(Number.isInteger);
}
