// The time a record holds while it is in a state, and only then (a campaign's `send_time` while it is
// scheduled; empty in the drafts it starts as): a call that puts the record in that state with a
// time of its own (`schedule_campaign(schedule_time)`) writes that time there, and a call that puts
// it back in the first state empties it, as the data's records in that state hold it.
import type { Field } from "../../lib/contracts/domain-schema.ts";
import type { Row } from "../../lib/contracts/domain-state.ts";
import { nameWords } from "../../lib/data-pack/places.ts";
import { participle } from "../../lib/domain-model/lexicon.ts";
import { here, nowFor, type RuleContext } from "./context.ts";

const TIME = /(_at|_time|_date|_on|^date|^time|datetime|timestamp)$/;
const empty = (v: unknown) => v === undefined || v === null || v === "";

/** The date-time field records in `state` hold and records in `first` leave empty, when it is the one. */
function stateTime(c: RuleContext, state: string, first: string): Field | undefined {
  const table = c.target;
  const status = table?.status;
  if (!table || !status) return undefined;
  const rows = c.records(table);
  const inState = rows.filter((r: Row) => r[status.field] === state);
  const inFirst = rows.filter((r: Row) => r[status.field] === first);
  if (inState.length === 0 || inFirst.length === 0) return undefined;
  const fields = table.fields.filter(
    (f) =>
      f.format === "date-time" ||
      (f.type === "string" &&
        (TIME.test(f.name) || nameWords(f.name).includes(participle(c.text.verb))) &&
        rows.some((r) => typeof r[f.name] === "string" && r[f.name] !== "")),
  );
  const held = fields.filter((f) => inState.every((r) => !empty(r[f.name])) && inFirst.every((r) => empty(r[f.name])));
  return held.length === 1 ? held[0] : undefined;
}

export function stateTimes(c: RuleContext, to: string | null): void {
  const table = c.target;
  const status = table?.status;
  if (!table || !status || !to || c.subject.kind !== "change") return;
  if (actTime(c, to)) return;
  if (to === status.initial) {
    // Back to the first state: the time each state before it held goes, as the first state's records hold none.
    const rows = c.records(table);
    const cleared = new Set<string>();
    for (const state of status.values) {
      if (state === to) continue;
      const f = stateTime(c, state, to);
      if (!f || cleared.has(f.name) || c.writes(here([f.name]))) continue;
      const blank = rows.find((r: Row) => r[status.field] === to)?.[f.name];
      cleared.add(f.name);
      c.effect(
        { kind: "set", place: here([f.name]), value: { kind: "constant", value: blank ?? null } },
        "data",
        `a ${table.entity} holds ${f.name} only while ${state}; back in ${to}, it holds none`,
      );
    }
    return;
  }
  const f = stateTime(c, to, status.initial);
  if (!f || c.writes(here([f.name]))) return;
  // The call's own time: a required date-time parameter no other rule reads, named as a time.
  const times = c.text.parameters.filter(
    (p) =>
      p.type === "string" &&
      p.required &&
      !c.identifying.has(p.name) &&
      (TIME.test(p.name) || /\b(date-time|ISO 8601|timestamp)\b/i.test(p.description)),
  );
  if (times.length !== 1) return;
  const p = times[0] as (typeof times)[number];
  c.effect(
    { kind: "set", place: here([f.name]), value: { kind: "parameter", name: p.name } },
    "data",
    `a ${table.entity} holds ${f.name} only while ${to} (the data's ${status.initial} ones hold none): the call's ${p.name}`,
  );
}

/**
 * A time named for the call's act (`published` of publish_event, `shipped_at` of ship_order), held by
 * the records in the state the call leads to and by none of some other state's: the act happens now.
 */
function actTime(c: RuleContext, to: string): boolean {
  const table = c.target;
  const status = table?.status;
  if (!table || !status) return false;
  const act = participle(c.text.verb);
  const named = table.fields.filter((f) => f.type === "string" && nameWords(f.name).includes(act));
  for (const f of named) {
    const held = status.values.filter((s) => s !== to).some((s) => stateTime(c, to, s)?.name === f.name);
    if (!held || c.writes(here([f.name]))) continue;
    c.effect(
      { kind: "set", place: here([f.name]), value: nowFor(f) },
      "data",
      `${f.name} is the time of the ${c.text.verb}: ${to} ${table.entity}s hold it and some others none, so the call sets it to now`,
    );
    return true;
  }
  return false;
}
