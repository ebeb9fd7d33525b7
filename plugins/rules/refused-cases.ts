// Cases a create refuses, listed as references list them: "Not possible once the Event has started,
// for a canceled Event, for an Event whose refund_policy is no_refunds". The record each item
// speaks of is reached from what the call names (the order's event), and must not be in that state
// or hold that value.
import type { Table } from "../../lib/contracts/domain-schema.ts";
import type { RuleSource, ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { TERMINAL_STATES } from "../../lib/domain-model/lexicon.ts";
import { valueIn } from "../../lib/domain-model/service-arguments.ts";
import { keyTable } from "../../lib/service-tools/subject.ts";
import type { RuleContext } from "./context.ts";

const NOT_POSSIBLE = /\b(?:not possible|not allowed|cannot be (?:made|created|submitted|placed))\b\s*:?\s*(.+)$/;

/** The key of a record of `table`, reached from a parameter that names one, one reference further at most. */
function reach(c: RuleContext, table: Table): ValueExpr | null {
  const tables = [...c.tables.values()];
  for (const p of c.text.parameters) {
    const named = keyTable(p, tables);
    if (!named) continue;
    const key: ValueExpr = { kind: "parameter", name: p.name };
    if (named === table) return key;
    const link = named.fields.find((f) => f.references === table.name);
    if (link) return { kind: "lookup", table: named.name, key, path: [link.name] };
  }
  return null;
}

/** The table an item's words name by its entity. */
function tableOf(c: RuleContext, words: string): Table | undefined {
  return [...c.tables.values()].find((t) => t.entity === words.trim());
}

export function refusedCases(c: RuleContext): void {
  if (c.subject.kind !== "create") return;
  for (const { sentence, source } of c.sentences("description")) {
    const m = NOT_POSSIBLE.exec(sentence);
    if (!m) continue;
    for (const item of (m[1] as string).replace(/[.;]\s*$/, "").split(/\s*,\s*(?:or\s+)?|\s+or\s+/)) {
      // "for an event whose refund_policy is no_refunds": the value at that path refuses.
      const whose = /^(?:for|on)\s+an?\s+([a-z ]+?)\s+whose\s+([a-z_.]+)\s+is\s+([a-z_]+)$/.exec(item.trim());
      // "for a canceled event", "once the event has started": the state refuses.
      const state =
        /^(?:for|on)\s+an?\s+([a-z_]+)\s+([a-z ]+)$/.exec(item.trim()) ?? /^once\s+the\s+([a-z ]+?)\s+has\s+([a-z_]+)$/.exec(item.trim());
      // "while the order has another open request": a record of the tool's table still open for the same one.
      const another = /^while\s+the\s+([a-z ]+?)\s+has\s+another\s+(?:open|active|pending|outstanding)\s+([a-z ]+)$/.exec(item.trim());
      if (another) {
        openAlready(c, another[1] as string, another[2] as string, source, item);
        continue;
      }
      if (whose) {
        const table = tableOf(c, whose[1] as string);
        const key = table ? reach(c, table) : null;
        if (!table || !key) continue;
        const path = [...(whose[2] as string).split(".")];
        const rows = c.records(table);
        // The field may be a struct whose one text names the case (`refund_policy.policy`).
        const at = rows.some((r) => valueIn(r, path) === whose[3]) ? path : structPath(rows, path, whose[3] as string);
        if (!at) continue;
        refuse(c, table, key, at, whose[3] as string, source, item);
      } else if (state) {
        const once = state[0].startsWith("once");
        const table = tableOf(c, (once ? state[1] : state[2]) as string);
        const word = (once ? state[2] : state[1]) as string;
        const value = table?.status?.values.find((v) => v.toLowerCase() === word);
        const key = table ? reach(c, table) : null;
        if (!table?.status || !value || !key) continue;
        refuse(c, table, key, [table.status.field], value, source, item);
      }
    }
  }
}

/** States in which a record is done with: not open any more. */
const CLOSED = new Set([...TERMINAL_STATES, "denied", "canceled", "expired", "failed", "resolved", "archived"]);

/** No other record of the tool's table, for the record `owner` names, may be in a state not yet closed. */
function openAlready(c: RuleContext, owner: string, noun: string, source: RuleSource, item: string): void {
  const target = c.target;
  const table = tableOf(c, owner);
  if (!target?.status || !table || !target.entity.endsWith(noun.trim())) return;
  const link = target.fields.find((f) => f.references === table.name);
  const key = reach(c, table);
  if (!link || !key) return;
  const closed = target.status.values.filter((v) => CLOSED.has(v.toLowerCase()));
  if (closed.length === 0) return;
  const where = [
    { field: link.name, value: key },
    ...closed.map((v) => ({ field: target.status?.field as string, value: { kind: "constant" as const, value: v }, not: true })),
  ];
  c.require(
    {
      kind: "compare",
      condition: { left: { kind: "aggregate", op: "count", table: target.name, where }, op: "==", right: { kind: "constant", value: 0 } },
    },
    source,
    `refused ${item.trim()}: another ${target.entity} of the ${table.entity} is not yet ${closed.join(" or ")}`,
  );
}

/** `path` and the one text field under it that holds `value` in the data. */
function structPath(rows: readonly Record<string, unknown>[], path: string[], value: string): string[] | null {
  for (const r of rows) {
    const v = valueIn(r, path);
    if (v && typeof v === "object" && !Array.isArray(v)) {
      const part = Object.keys(v).find((k) => rows.some((row) => valueIn(row, [...path, k]) === value));
      if (part) return [...path, part];
    }
  }
  return null;
}

function refuse(c: RuleContext, table: Table, key: ValueExpr, path: string[], value: string, source: RuleSource, item: string): void {
  c.require(
    {
      kind: "compare",
      condition: { left: { kind: "lookup", table: table.name, key, path }, op: "!=", right: { kind: "constant", value } },
    },
    source,
    `refused ${item.trim()}: the ${table.entity}'s ${path.join(".")} is ${value}`,
  );
}
