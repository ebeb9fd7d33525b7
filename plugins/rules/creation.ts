// What a create tool makes: the new record's key in the data's own pattern (`hol_4012` after
// `hol_4011`), its fields from the parameters, its first state (the description's "created with
// status 'waiting'", else the state most records start in), today's date where records keep when
// they were made, and its key linked into the records that list theirs (`member.holds`).
import type { Field, Table } from "../../lib/contracts/domain-schema.ts";
import type { ServiceModel, ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { reachable } from "../../lib/data-pack/places.ts";
import { keyTable } from "../../lib/service-tools/subject.ts";
import { flagStatus } from "./conditional-status.ts";
import { fitsField, isTime, nowFor, type RuleContext } from "./context.ts";
import { keyEchoes, newKeyOf } from "./counters.ts";
import { kindredValues } from "./kindred-values.ts";
import { completeLineItems } from "./line-items.ts";
import { keepDecimalText, keepNullFields } from "./record-shape.ts";
import { bookingSlots, slotPool } from "./slots.ts";
import { snapshotFields } from "./snapshots.ts";
import { statusesIn } from "./statuses.ts";
import { wrappedKey } from "./wrapped-records.ts";

export function deriveCreation(c: RuleContext): { fields: Record<string, ValueExpr>; newKey: NonNullable<ServiceModel["newKey"]> } | null {
  const table = c.target;
  if (!table || c.subject.kind !== "create") return null;
  const rows = c.records(table);
  // A number the data keeps for the next key, else the next after the data's own; keys as the records write them.
  const newKey = newKeyOf(c.tables, c.data, table, rows);
  const echoes = keyEchoes(rows, table);
  // A first state a flag of the call chooses: the other state when the flag is not set.
  const flag = table.status ? flagStatus(c, table) : null;
  const initial = flag?.whenFalse ?? initialStatus(c, table);
  // Fields that records in the first state hold (a cancelled hold's reason is not one of them).
  const usual = initial && table.status ? rows.filter((r) => r[table.status?.field as string] === initial) : rows;
  const held = (f: Field) =>
    usual.length === 0 ? !f.nullable : usual.filter((r) => r[f.name] !== undefined && r[f.name] !== null).length / usual.length >= 0.8;
  const fields: Record<string, ValueExpr> = {};
  // Numbers given 0 for want of a source: a copy of a referenced record's number may still fill them.
  const madeUp = new Set<string>();
  const taken = new Set<string>();
  for (const f of table.fields) {
    if (f.name === table.key) {
      fields[f.name] = { kind: "new-key" };
      continue;
    }
    // The time a clock-made key holds is the record's own (a reading's time and its time-ordered id).
    if (newKey.timed?.field === f.name) {
      fields[f.name] =
        newKey.timed.unit === "s"
          ? { kind: "now", unixSeconds: true }
          : { kind: "now", unixMillis: f.type === "string" ? "text" : "number" };
      continue;
    }
    const echo = echoes[f.name];
    if (echo) {
      fields[f.name] = echo;
      continue;
    }
    const named = c.text.parameters.find((p) => p.name === f.name) ?? c.parameterFor(f.name, taken);
    // A flag (`require_approval`) is no value of a field that is not one (`approval`: a struct or null).
    const param = named && fitsField(named, f) ? named : undefined;
    if (param) {
      fields[f.name] = { kind: "parameter", name: param.name };
      taken.add(param.name);
      continue;
    }
    // A field no parameter gives that a record a parameter names holds (a payment's customer is its order's).
    const via = c.text.parameters
      .map((p) => ({ p, table: keyTable(p, [...c.tables.values()]) }))
      .find(({ table: t }) => t && t !== table && t.fields.some((g) => g.name === f.name && g.name !== t.key));
    if (via?.table && (f.references || /_id$/.test(f.name))) {
      fields[f.name] = {
        kind: "read",
        place: { hops: [], path: [f.name], root: { table: via.table.name, key: { kind: "parameter", name: via.p.name } } },
      };
      continue;
    }
    // A value every record of the data holds alike (`type: "StudentEnrollment"`, `currency: "USD"`) is the new one's too.
    const alike = sameValue(rows.map((r) => r[f.name]));
    if (alike !== undefined && f.name !== table.status?.field) {
      fields[f.name] = { kind: "constant", value: alike };
      continue;
    }
    if (!held(f)) {
      // A field every record keeps, null where it has no value yet (`approval`, `cancellation`): null.
      if (rows.length > 0 && rows.every((r) => f.name in r) && rows.some((r) => r[f.name] === null))
        fields[f.name] = { kind: "constant", value: null };
      continue;
    }
    if (table.status && f.name === table.status.field && initial) fields[f.name] = { kind: "constant", value: initial };
    else if (f.format === "date") fields[f.name] = { kind: "today" };
    else if (isTime(f)) fields[f.name] = nowFor(f);
    else if (f.type === "array") fields[f.name] = { kind: "constant", value: [] };
    else if (f.type === "integer" || f.type === "number") {
      fields[f.name] = { kind: "constant", value: 0 };
      madeUp.add(f.name);
    } else if (f.type === "object")
      fields[f.name] = structOf(
        c,
        f,
        rows.map((r) => r[f.name]),
        taken,
      );
    else if (f.type === "boolean") fields[f.name] = { kind: "constant", value: false };
  }
  wrappedKey(c, table, fields);
  Object.assign(fields, writtenDefaults(c, table));
  Object.assign(fields, namedEntryNumbers(c, table, fields));
  completeLineItems(c, table, fields);
  keepNullFields(c, table, fields);
  keepDecimalText(c, table, fields);
  kindredValues(c, table, fields);
  // Fields copied from the record a reference names (a card's number); a balance after, once the call's effects ran.
  const snapshots = snapshotFields(
    table,
    c.tables,
    c.data,
    Object.fromEntries(Object.entries(fields).filter(([name, v]) => !(madeUp.has(name) && v.kind === "constant" && v.value === 0))),
  );
  for (const snap of snapshots) if (!snap.after) fields[snap.field] = { kind: "read", place: snap.place };
  c.effect(
    { kind: "set", place: { hops: [], path: [] }, value: { kind: "object", fields } },
    "data",
    `a new ${table.entity} with the fields the data's ${table.name} hold`,
  );
  if (flag && table.status)
    c.effect(
      { kind: "set", place: { hops: [], path: [table.status.field] }, value: { kind: "constant", value: flag.whenTrue } },
      "description",
      flag.text,
      [{ left: { kind: "parameter", name: flag.parameter }, op: "==", right: { kind: "constant", value: true } }],
    );
  for (const snap of snapshots)
    if (snap.after)
      c.effect(
        { kind: "set", place: { hops: [], path: [snap.field] }, value: { kind: "read", place: snap.place, after: true } },
        "data",
        `the new ${table.entity}'s ${snap.field} is the ${snap.place.root?.table ?? ""} record's ${snap.place.path.join(".")} after the call, as the latest records show`,
      );
  const pool = slotPool(c, table);
  if (pool) bookingSlots(c, pool);
  // Records that list this table's keys, reached from the new record: the key goes into their list.
  for (const { table: owner, hops } of reachable(c.tables, table).slice(1)) {
    if (hops.length !== 1) continue;
    for (const f of owner.fields) {
      if (f.type === "array" && f.items?.references === table.name)
        c.effect(
          { kind: "link", place: { hops, path: [f.name] } },
          "data",
          `the new ${table.entity}'s key is added to the ${owner.entity}'s ${f.name}`,
        );
    }
  }
  return { fields, newKey };
}

/**
 * A number of the new record no parameter gives, that the entry a parameter names holds under the
 * same name (a reward's points are those of the reward tier the call names, an entry of its
 * program's tiers): read off that entry, reached from the records the call's arguments name.
 */
function namedEntryNumbers(c: RuleContext, table: Table, fields: Record<string, ValueExpr>): Record<string, ValueExpr> {
  const out: Record<string, ValueExpr> = {};
  for (const entry of c.requires) {
    const r = entry.rule;
    if (r.kind !== "entry-of" || !r.keyField) continue;
    const first = r.place.hops[0];
    const start = first ? fields[first.field] : undefined;
    if (!first || start?.kind !== "parameter" || r.place.root) continue;
    const holder = c.tables.get(r.place.hops.at(-1)?.table ?? "");
    let list: Field | undefined;
    for (const [i, step] of r.place.path.entries())
      list = i === 0 ? holder?.fields.find((f) => f.name === step) : list?.fields?.find((f) => f.name === step);
    const elements = list?.type === "array" ? (list.items?.fields ?? []) : [];
    for (const f of table.fields) {
      const now = fields[f.name];
      if ((f.type !== "integer" && f.type !== "number") || !(now?.kind === "constant" && now.value === 0)) continue;
      const held = elements.find((g) => g.name === f.name && (g.type === "integer" || g.type === "number"));
      if (!held) continue;
      const place = { hops: r.place.hops.slice(1), path: r.place.path, root: { table: first.table, key: start } };
      out[f.name] = {
        kind: "element",
        of: { kind: "read", place },
        field: r.keyField,
        equals: { kind: "parameter", name: r.parameter },
        path: [f.name],
      };
    }
  }
  return out;
}

/**
 * Values the description writes out for the new record's own fields: 'via is {channel: "api"},
 * satisfaction_rating {score: "unoffered"}, followup_ids []'. Only fields the data's records hold,
 * only constants (what the call gives is the parameters').
 */
function writtenDefaults(c: RuleContext, table: Table): Record<string, ValueExpr> {
  const out: Record<string, ValueExpr> = {};
  const text = c
    .sentences("description")
    .map((s) => s.written)
    .join(" ");
  const constant = (raw: string): unknown => {
    const v = raw.trim();
    const quoted = /^["'“](.*)["'”]$/.exec(v);
    if (quoted) return quoted[1];
    if (/^-?\d+(\.\d+)?$/.test(v)) return Number(v);
    if (/^(true|false)$/.test(v)) return v === "true";
    if (v === "null") return null;
    if (v === "[]") return [];
    return undefined;
  };
  for (const m of text.matchAll(/\b([a-z][a-z0-9_]*)\s+(?:is\s+|=\s*)?(\{[^{}]{1,200}\}|\[\])/g)) {
    const field = table.fields.find((f) => f.name === m[1]);
    if (!field || field.name === table.key) continue;
    const body = m[2] as string;
    if (body === "[]") {
      if (field.type === "array") out[field.name] = { kind: "constant", value: [] };
      continue;
    }
    const parts: Record<string, unknown> = {};
    let ok = true;
    for (const part of body.slice(1, -1).split(/\s*,\s*/)) {
      const kv = /^([a-z_][a-z0-9_]*)\s*:\s*(.+)$/i.exec(part.trim());
      const value = kv ? constant(kv[2] as string) : undefined;
      if (!kv || value === undefined) {
        ok = false;
        break;
      }
      parts[kv[1] as string] = value;
    }
    if (ok && field.type === "object" && Object.keys(parts).length > 0) out[field.name] = { kind: "constant", value: parts };
  }
  return out;
}

/**
 * The one scalar value every record holds, else undefined: three records at least, or fewer when
 * the value is a code (`refund`, `usd`, `succeeded`): a collection the data shows one or two of
 * still writes its kind, currency and first state into every record, and a new one without them
 * is missing fields rather than holding someone's free text.
 */
export function sameValue(values: readonly unknown[]): string | boolean | undefined {
  if (values.length === 0) return undefined;
  const first = values[0];
  if (typeof first !== "string" && typeof first !== "boolean") return undefined;
  if (values.length < 3 && !(typeof first === "string" && CODE.test(first))) return undefined;
  return values.every((v) => v === first) ? first : undefined;
}

/** A word a service writes as a code: lower-case letters, digits and underscores, or a short upper-case code. */
const CODE = /^(?:[a-z][a-z0-9_]{1,23}|[A-Z]{2,5})$/;

/**
 * A struct of a new record shaped as the data's records hold it (`grades: {final_grade: null}`):
 * each part from the parameter of its name, the clock, a value all records share, else null.
 */
export function structOf(c: RuleContext, f: Field, values: readonly unknown[], taken: Set<string>): ValueExpr {
  const parts = f.fields ?? [];
  if (parts.length === 0) return { kind: "constant", value: {} };
  const out: Record<string, ValueExpr> = {};
  const rows = values.filter((v): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v));
  for (const part of parts) {
    const param = c.text.parameters.find((p) => p.name === part.name && !taken.has(p.name));
    const alike = sameValue(rows.map((r) => r[part.name]));
    if (param) out[part.name] = { kind: "parameter", name: param.name };
    else if (part.format === "date" || /(^|_)(date|changed|on)$/.test(part.name)) out[part.name] = { kind: "today" };
    else if (part.format === "date-time" || /_at$/.test(part.name)) out[part.name] = nowFor(part);
    else if (alike !== undefined) out[part.name] = { kind: "constant", value: alike };
    else if (part.type === "array") out[part.name] = { kind: "constant", value: [] };
    else out[part.name] = { kind: "constant", value: null };
  }
  return { kind: "object", fields: out };
}

function initialStatus(c: RuleContext, table: Table): string | null {
  if (!table.status) return null;
  const values = table.status.values;
  const sentences = c.sentences("description");
  // A status said outright wins over one merely named near "starts" ("the window must start…; a
  // shipment can have only one scheduled pickup" before "the pickup is created with status unknown").
  for (const { sentence, written } of sentences) {
    // "its status is 'new'", "created with status pending", "the status starts as draft".
    const said =
      /\bstatus\s+(?:(?:is|will be|becomes|starts as|of)\s+|:\s*)?["'“`]?([A-Za-z][A-Za-z _-]*?)["'”`]?(?:[.,;)]|\s+(?:when|if|and|unless|until)\b|$)/i.exec(
        written,
      );
    if (said?.[1] && /\b(created|placed|made|opened|booked|starts?|new|initial|is)\b/.test(sentence)) {
      // "A request made later than … is created with status X; otherwise Y": X is the exception a
      // condition picks, Y the state a plain new record takes.
      const rest = written.slice((said.index ?? 0) + said[0].length);
      const otherwise = /^\s*[;,]?\s*(?:otherwise|else)\s*,?\s*(?:(?:it is|the status is|status)\s+)?["'“`]?([A-Za-z][A-Za-z_-]*)/i.exec(
        said[0].endsWith(";") || said[0].endsWith(",") ? ` ${rest}` : rest,
      );
      const word = (otherwise?.[1] ?? said[1]).trim();
      return values.find((v) => v.toLowerCase() === word.toLowerCase()) ?? word;
    }
  }
  for (const { sentence } of sentences) {
    if (!/\b(created|placed|made|opened|booked|starts?)\b/.test(sentence)) continue;
    const named = statusesIn(sentence, values)[0];
    if (named) return named;
  }
  return table.status.initial;
}
