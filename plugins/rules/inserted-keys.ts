// What a record a call inserts into another table is keyed by, and where its key goes: a key the
// data builds from the record it belongs to (`pay_1024_rf1`: the payment's key, `_rf`, the count of
// that payment's refunds plus one), and a list of the tool's record that holds such keys
// (`refund_ids` of the payment refunded) takes the new one.
import type { Table } from "../../lib/contracts/domain-schema.ts";
import type { Row } from "../../lib/contracts/domain-state.ts";
import type { Rule, ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { here, type RuleContext } from "./context.ts";

/**
 * The key of a new record of `table`, when every key of the data is the value of one of its
 * reference fields, a fixed infix, and the record's number among those of the same referenced
 * record (`pay_1024_rf1`, `pay_1024_rf2`); `fields` says what the new record's reference field holds.
 */
export function keyFormula(rows: readonly Row[], table: Table, fields: Readonly<Record<string, ValueExpr>>): ValueExpr | null {
  if (rows.length < 2) return null;
  for (const field of table.fields) {
    const value = fields[field.name];
    if (!field.references || field.name === table.key || !value) continue;
    const infixes = new Set<string>();
    const numbers = new Map<string, Set<number>>();
    const fits = rows.every((row) => {
      const key = row[table.key];
      const owner = row[field.name];
      if (typeof key !== "string" || (typeof owner !== "string" && typeof owner !== "number")) return false;
      const m = /^(\D+)(\d+)$/.exec(key.startsWith(String(owner)) ? key.slice(String(owner).length) : "");
      if (!m) return false;
      infixes.add(m[1] as string);
      const seen = numbers.get(String(owner)) ?? new Set<number>();
      numbers.set(String(owner), seen.add(Number(m[2])));
      return true;
    });
    // Numbered per owner: 1, 2, … up to the owner's count of records, each once.
    const counted = [...numbers.entries()].every(([owner, seen]) => {
      const count = rows.filter((r) => String(r[field.name]) === owner).length;
      return seen.size === count && [...seen].every((n) => n >= 1 && n <= count);
    });
    if (!fits || !counted || infixes.size !== 1) continue;
    return {
      kind: "concat",
      parts: [
        value,
        { kind: "constant", value: [...infixes][0] },
        {
          kind: "arith",
          op: "+",
          left: { kind: "aggregate", op: "count", table: table.name, where: [{ field: field.name, value }] },
          right: { kind: "constant", value: 1 },
        },
      ],
    };
  }
  return null;
}

/** After each record a change tool inserts, its key goes into the tool's record's list of such keys. */
export function linkInserted(c: RuleContext): void {
  const target = c.target;
  if (!target || c.subject.kind !== "change") return;
  const out: Rule[] = [];
  for (const rule of c.inserts) {
    out.push(rule);
    if (rule.rule.kind !== "insert") continue;
    const table = rule.rule.table;
    for (const f of target.fields) {
      if (f.type !== "array" || f.items?.references !== table || c.writes(here([f.name]))) continue;
      out.push({
        rule: { kind: "link", place: here([f.name]) },
        source: "data",
        text: `the new ${table} record's key is added to the ${target.entity}'s ${f.name}`,
        ...(rule.when ? { when: rule.when } : {}),
      });
    }
  }
  c.inserts.splice(0, c.inserts.length, ...out);
}
