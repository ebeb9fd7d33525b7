// Records of another table that a call's array argument names, and what happens to each: "each given
// item becomes status "started" with order_id set to this order". The argument is the one whose name
// has the noun's word and whose elements are keys of a table; the state is a value of that table's
// status; the field set "to this <record>" is the one that refers to the tool's own table.
import type { Table } from "../../lib/contracts/domain-schema.ts";
import type { ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { nameWords } from "../../lib/data-pack/places.ts";
import { singular } from "../../lib/domain-model/words.ts";
import { keyTable } from "../../lib/service-tools/subject.ts";
import { clausesOf } from "./clauses.ts";
import type { RuleContext } from "./context.ts";

const EACH =
  /^(?:each|every)\s+(?:given|listed|named)?\s*(\w+)\s+(?:becomes|is set to|is marked|gets)\s+(?:status\s+)?⟦(\d+)⟧(?:\s+with\s+([a-z][a-z0-9_]*)\s+set\s+to\s+(?:this|the)\s+(\w+))?/;

/** "The previous request becomes "superseded"": the record an argument named for its role names. */
const REPLACED = /^the\s+(previous|old|original|former|prior|replaced|earlier)\s+(\w+)\s+(?:becomes|is set to|is marked)\s+⟦(\d+)⟧/;

/** What becomes of records the call's arguments name: each of an array's, or the one a role names. */
export function namedRecords(c: RuleContext): void {
  const target = c.target;
  if (!target) return;
  if (c.subject.kind === "create" || c.subject.kind === "change") replacedRecords(c);
  if (c.subject.kind !== "change") return;
  for (const clause of clausesOf(c.sentences("description"))) {
    const m = EACH.exec(clause.text);
    if (!m) continue;
    const noun = singular(m[1] as string);
    const param = c.text.parameters.find((p) => p.type === "array" && nameWords(p.name).map(singular).includes(noun));
    if (!param) continue;
    const table = keyTable({ name: param.name.replace(/_ids$/, "_id").replace(/s$/, ""), type: "string" }, [...c.tables.values()]);
    if (!table || table === target) continue;
    const value = clause.quotes[Number(m[2])];
    const fields: Record<string, ValueExpr> = {};
    const status = stateField(c, table, value);
    if (!status || value === undefined) continue;
    fields[status] = { kind: "constant", value };
    const field = m[3] ? table.fields.find((f) => f.name === m[3] && f.references === target.name) : undefined;
    if (field && target.key) fields[field.name] = { kind: "read", place: { hops: [], path: [target.key] } };
    c.effect({ kind: "set-named", table: table.name, each: param.name, fields }, clause.source, clause.sentence);
  }
}

/** The field of `table`'s records that holds states: its status, else one whose values hold `value`. */
function stateField(c: RuleContext, table: Table, value: string | undefined): string | null {
  if (table.status) return table.status.field;
  const rows = c.records(table);
  return table.fields.find((f) => f.type === "string" && rows.some((r) => r[f.name] === value))?.name ?? null;
}

/**
 * "The previous request becomes "superseded"": on the calls that give `previous_request_id` (an
 * argument named for the role and the noun, whose field in the data refers to a table), that record's
 * state becomes the quoted one.
 */
function replacedRecords(c: RuleContext): void {
  for (const clause of clausesOf(c.sentences("description"))) {
    const m = REPLACED.exec(clause.text);
    if (!m) continue;
    const [role, noun] = [m[1] as string, singular(m[2] as string)];
    const param = c.text.parameters.find((p) => {
      const words = nameWords(p.name);
      return p.type !== "array" && words.includes(role) && words.map(singular).includes(noun);
    });
    if (!param) continue;
    const table =
      keyTable(param, [...c.tables.values()]) ??
      [...c.tables.values()].flatMap((t) => t.fields.filter((f) => f.name === param.name && f.references).map((f) => f.references))[0];
    const named = typeof table === "string" ? c.tables.get(table) : table;
    const value = clause.quotes[Number(m[3])];
    if (!named || value === undefined) continue;
    const state = statePath(c, named);
    if (!state) continue;
    c.effect(
      {
        kind: "set",
        place: { hops: [], path: state, root: { table: named.name, key: { kind: "parameter", name: param.name } } },
        value: { kind: "constant", value },
      },
      clause.source,
      clause.sentence,
      [{ left: { kind: "parameter", name: param.name }, op: "given" }],
    );
  }
}

/** The path of a table's state (its status, or a status nested in an object: `status.status`). */
function statePath(c: RuleContext, table: Table): string[] | null {
  if (table.status) return [table.status.field];
  const rows = c.records(table);
  for (const f of table.fields) {
    if (f.type !== "object" || !/(^|_)(status|state)$/.test(f.name)) continue;
    const inner = f.fields?.find((g) => g.type === "string" && /(^|_)(status|state)$/.test(g.name));
    if (inner && rows.some((r) => typeof r[f.name] === "object")) return [f.name, inner.name];
  }
  return null;
}
