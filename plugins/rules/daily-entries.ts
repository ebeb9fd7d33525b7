// Lists that hold one entry per day of a record's date range, as the data shows them: a stay's
// nightly prices, the nightly charges on its bill (the bill refers back to the stay), a rental's
// daily fees. In every record of the data the entries' dates are exactly the days from the start
// date up to the end date; a call that moves the range ("changes the stay dates", "removed nights
// are taken off the folio") keeps them so: entries of days dropped go, days added get an entry.
import type { Field, Table } from "../../lib/contracts/domain-schema.ts";
import type { Row } from "../../lib/contracts/domain-state.ts";
import type { Hop, Place, ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { leaves } from "../../lib/data-pack/places.ts";
import { valueIn } from "../../lib/domain-model/service-arguments.ts";
import { creationStampOf } from "./change-stamps.ts";
import { nowFor, type RuleContext } from "./context.ts";
import { referringHops } from "./referring-records.ts";

/** Records that must show the daily entries, with entries, before the list is taken as kept per day. */
const WITNESSES = 3;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function days(from: string, to: string): string[] {
  const out: string[] = [];
  for (let ms = Date.parse(`${from}T00:00:00Z`), end = Date.parse(`${to}T00:00:00Z`); ms < end && out.length < 400; ms += 86400000)
    out.push(new Date(ms).toISOString().slice(0, 10));
  return out;
}

/** A new day's entry is made by the call: its creation time is the clock's, not the entry it copies. */
function made(fields: readonly Field[] | undefined): { set?: Record<string, ValueExpr> } {
  const stamp = fields ? creationStampOf(fields) : null;
  return stamp ? { set: { [stamp.name]: nowFor(stamp) } } : {};
}

/** Daily entries of the tool's record (or of the record that refers back to it) follow the dates the call moves. */
export function dailyEntries(c: RuleContext): void {
  const target = c.target;
  if (!target || c.subject.kind !== "change") return;
  const dates = leaves(target.fields).filter((l) => l.field.format === "date" || l.field.type === "string");
  const moved = (path: string[]) =>
    c.effects.some(
      (r) =>
        r.rule.kind === "set" && r.rule.place.hops.length === 0 && !r.rule.place.root && r.rule.place.path.join(".") === path.join("."),
    );
  for (const start of dates) {
    for (const end of dates) {
      if (start === end || !(moved(start.path) || moved(end.path))) continue;
      const records = c.records(target);
      const ranged = records.filter((r) => {
        const a = valueIn(r, start.path);
        const b = valueIn(r, end.path);
        return typeof a === "string" && typeof b === "string" && DATE.test(a) && DATE.test(b) && a < b;
      });
      if (ranged.length < WITNESSES || ranged.length < records.length * 0.9) continue;
      const range = (r: Row) => days(String(valueIn(r, start.path)), String(valueIn(r, end.path)));
      const from = { kind: "read" as const, place: { hops: [], path: start.path }, after: true };
      const to = { kind: "read" as const, place: { hops: [], path: end.path }, after: true };
      const text = (list: string) =>
        `in every ${target.entity} of the data, ${list} holds one entry per day from ${start.path.join(".")} until ${end.path.join(".")}`;
      // The record's own lists.
      for (const list of target.fields) {
        const daily = dailyList(
          list.items?.fields ? list : undefined,
          ranged.map((r) => ({ entries: valueIn(r, [list.name]), range: range(r) })),
        );
        if (!daily) continue;
        c.effect(
          { kind: "days", place: { hops: [], path: [list.name] }, dateField: daily.dateField, from, to, ...made(list.items?.fields) },
          "data",
          text(list.name),
        );
      }
      // The lists of the record that refers back to it (its bill's charges of one kind).
      for (const { table, hop } of referringHops(c, target)) {
        const byOwner = new Map<string, Row>();
        for (const r of c.records(table)) {
          const owner = valueIn(r, hop.field.split("."));
          if ((typeof owner === "string" || typeof owner === "number") && !byOwner.has(String(owner))) byOwner.set(String(owner), r);
        }
        for (const list of table.fields) {
          if (!list.items?.fields) continue;
          const pairs = ranged.flatMap((r) => {
            const owner = byOwner.get(String(r[target.key]));
            return owner ? [{ entries: valueIn(owner, [list.name]), range: range(r), owner }] : [];
          });
          const daily = dailyList(list, pairs);
          if (!daily) continue;
          const numbered = numberedField(
            table,
            list.name,
            list.items.fields.map((f) => f.name),
            pairs.map((p) => p.owner),
          );
          const place: Place = { hops: [hop as Hop], path: [list.name] };
          c.effect(
            {
              kind: "days",
              place,
              dateField: daily.dateField,
              from,
              to,
              ...(daily.only ? { only: daily.only } : {}),
              ...(numbered ? { numbered } : {}),
              ...made(list.items.fields),
            },
            "data",
            text(`its ${table.entity}'s ${list.name}${daily.only ? ` whose ${daily.only.field} is ${String(daily.only.value)}` : ""}`),
          );
        }
      }
    }
  }
}

/**
 * The date field by which a list holds one entry per day of each record's range (with `only`, its
 * entries of one kind): every record with such entries has exactly the range's days.
 */
function dailyList(
  list: { items?: { fields?: { name: string; type: string }[] } } | undefined,
  pairs: { entries: unknown; range: string[] }[],
): { dateField: string; only?: { field: string; value: string } } | null {
  const fields = list?.items?.fields ?? [];
  const elements = (entries: unknown) => (Array.isArray(entries) ? (entries.filter((e) => e && typeof e === "object") as Row[]) : []);
  const kinds: ({ field: string; value: string } | undefined)[] = [undefined];
  for (const f of fields) {
    if (f.type !== "string") continue;
    const values = new Set(
      pairs.flatMap((p) => elements(p.entries).map((e) => e[f.name])).filter((v): v is string => typeof v === "string"),
    );
    if (values.size > 1 && values.size <= 8) for (const value of values) kinds.push({ field: f.name, value });
  }
  for (const date of fields) {
    if (date.type !== "string") continue;
    for (const only of kinds) {
      let witnesses = 0;
      let holds = true;
      for (const p of pairs) {
        const got = elements(p.entries)
          .filter((e) => !only || e[only.field] === only.value)
          .map((e) => e[date.name]);
        if (got.length === 0) continue;
        if (got.some((d) => typeof d !== "string" || !DATE.test(d)) || [...got].sort().join() !== p.range.join()) {
          holds = false;
          break;
        }
        witnesses += 1;
      }
      if (holds && witnesses >= WITNESSES) return { dateField: date.name, ...(only ? { only } : {}) };
    }
  }
  return null;
}

/** The entries' field that is their holder's key, `-` and a running number (`F1-3` on bill `F1`), in every entry of the data. */
function numberedField(table: Table, list: string, fields: string[], holders: Row[]): string | undefined {
  return fields.find((name) => {
    let seen = 0;
    for (const h of holders) {
      const key = String(h[table.key]);
      for (const e of (valueIn(h, [list]) as Row[] | undefined) ?? []) {
        const v = e?.[name];
        if (typeof v !== "string" || !new RegExp(`^${key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-\\d+$`).test(v)) return false;
        seen += 1;
      }
    }
    return seen >= WITNESSES;
  });
}
