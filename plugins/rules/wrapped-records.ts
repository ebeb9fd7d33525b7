// A record that wraps a record of another kind until it goes out: an outbox entry whose `letter`
// holds what a letter record holds (its key among it), a scheduled post whose `post` is a post. A
// tool that sends (publishes, posts, submits) one makes the wrapped record a record of its own
// table, under its own key, and the wrapper is gone: "Send a queued letter by its outbox id".
import type { Field, Table } from "../../lib/contracts/domain-schema.ts";
import type { ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { here, type RuleContext } from "./context.ts";
import { newKeyOf } from "./counters.ts";

const SENDING = new Set(["send", "publish", "post", "submit", "release", "dispatch"]);

/** The other table whose records a nested object of `table` holds: its key and most of its fields. */
export function wrappedRecord(c: RuleContext, table: Table): { field: Field; inner: Table } | null {
  for (const field of table.fields) {
    const names = new Set((field.type === "object" ? field.fields : undefined)?.map((f) => f.name) ?? []);
    if (names.size === 0) continue;
    for (const inner of c.tables.values()) {
      if (inner === table || inner.storage === "single" || !names.has(inner.key)) continue;
      const shared = inner.fields.filter((f) => names.has(f.name)).length;
      if (shared >= Math.max(3, inner.fields.length * 0.8)) return { field, inner };
    }
  }
  return null;
}

/**
 * A new record's wrapped record is one of its table's to be: keyed as that table keys its records
 * (a new outbox entry's letter takes a letter id), with the clock in the time a clock-made key holds.
 */
export function wrappedKey(c: RuleContext, table: Table, fields: Record<string, ValueExpr>): void {
  const found = wrappedRecord(c, table);
  const made = found ? fields[found.field.name] : undefined;
  if (!found || made?.kind !== "object") return;
  const { inner } = found;
  const key = newKeyOf(c.tables, c.data, inner, c.records(inner));
  made.fields[inner.key] = {
    kind: "fresh-key",
    table: inner.name,
    prefix: key.prefix,
    digits: key.digits,
    sequential: key.sequential,
    ...(key.encoded ? { encoded: key.encoded } : {}),
    ...(key.timed ? { timed: key.timed } : {}),
  };
  const time = key.timed ? found.field.fields?.find((f) => f.name === key.timed?.field) : undefined;
  if (key.timed && time)
    made.fields[time.name] =
      key.timed.unit === "s" ? { kind: "now", unixSeconds: true } : { kind: "now", unixMillis: time.type === "string" ? "text" : "number" };
}

export function wrappedRecords(c: RuleContext): void {
  const table = c.target;
  if (!table || c.subject.kind !== "change" || !SENDING.has(c.text.verb)) return;
  const found = wrappedRecord(c, table);
  if (!found) return;
  const { field, inner } = found;
  const names = new Set(field.fields?.map((f) => f.name));
  const fields: Record<string, ValueExpr> = Object.fromEntries(
    inner.fields.filter((f) => names.has(f.name)).map((f) => [f.name, { kind: "read", place: here([field.name, f.name]) }]),
  );
  const text = `the ${table.entity}'s ${field.name} becomes a record of ${inner.name} under its own ${inner.key}, and the ${table.entity} is gone (${c.text.verb} ${table.entity})`;
  if (c.inserts.some((r) => r.rule.kind === "insert" && r.rule.table === inner.name)) return;
  c.inserts.push({
    rule: {
      kind: "insert",
      table: inner.name,
      key: { prefix: "", digits: 0, sequential: false, formula: { kind: "read", place: here([field.name, inner.key]) } },
      fields,
    },
    source: "name",
    text,
  });
  c.effect({ kind: "discard" }, "name", text);
}
