// Several fields set in one clause, as API references list them: "sets active to false and
// updated_at to today", "sets enrollment_state to "active" and updated_at to today" (one verb, a
// value each), and stamps without a verb, "canceled_at and updated_at today", "shipped_at now"
// (the record's own times). Each field must be the record's and each value one that fits it.
import type { Condition } from "../../lib/contracts/tool-rules.ts";
import type { Clause } from "./clause.ts";
import type { RuleContext } from "./context.ts";
import { type Candidate, resolvePlace, resolveValue } from "./resolve.ts";

/** "sets A to V and B to W" (two values or more): each field its value. True when it made a rule. */
export function listedAssignments(c: RuleContext, clause: Clause, body: string, when: Condition[] | undefined): boolean {
  const m = /^(?:sets?|changes?|updates?|marks?|resets?)\s+(.+)$/.exec(body);
  if (!m) return false;
  const pieces = (m[1] as string).split(/\s*,\s*(?:and\s+)?|\s+and\s+/);
  const pairs: { places: string[]; value: string }[] = [];
  let pending: string[] = [];
  for (const piece of pieces) {
    const pair = /^(.+?)\s+(?:to|as)\s+(.+)$/.exec(piece);
    if (!pair) {
      pending.push(piece);
      continue;
    }
    pairs.push({ places: [...pending, pair[1] as string], value: pair[2] as string });
    pending = [];
  }
  if (pairs.length < 2) return false;
  let made = false;
  for (const { places, value } of pairs)
    for (const phrase of places) {
      const place = ownField(c, phrase);
      if (!place) continue;
      const v = resolveValue(c, value, clause.quotes, place);
      if (!v || !fitsKind(v, place)) continue;
      if (c.writes(place.place) || c.identifyingPlace(place.place)) continue;
      c.effect({ kind: "set", place: place.place, value: v }, clause.source, clause.sentence, when);
      made = true;
    }
  return made;
}

/** "canceled_at and updated_at today", "(status draft -> canceled, shipped_at now)": the record's times stamped. */
export function stampedTimes(c: RuleContext, clause: Clause): void {
  for (const part of clause.text.split(/\s*,\s*|\s+\(|\)/)) {
    const m = /^((?:[a-z][a-z0-9]*_[a-z0-9_]+)(?:\s*(?:,|and)\s*[a-z][a-z0-9]*_[a-z0-9_]+)*)\s+(today|now)$/.exec(part.trim());
    if (!m) continue;
    const places = (m[1] as string).split(/\s*(?:,|and)\s*/).map((name) => ownField(c, name));
    if (places.some((p) => p?.kind !== "date")) continue;
    for (const place of places as Candidate[]) {
      if (c.writes(place.place)) continue;
      const value = resolveValue(c, m[2] as string, [], place);
      if (value) c.effect({ kind: "set", place: place.place, value }, clause.source, clause.sentence);
    }
  }
}

/** A field of the tool's own record, named as written (`updated_at`) or in words. */
function ownField(c: RuleContext, phrase: string): Candidate | null {
  const place = resolvePlace(c, phrase.trim());
  if (!place || place.place.hops.length > 0 || place.place.root || place.kind === "array" || place.kind === "object") return null;
  return place;
}

function fitsKind(value: NonNullable<ReturnType<typeof resolveValue>>, place: Candidate): boolean {
  if (value.kind !== "constant") return true;
  const v = value.value;
  if (v === null) return true;
  if (place.kind === "number" || place.kind === "money") return typeof v === "number";
  if (place.kind === "boolean") return typeof v === "boolean";
  return typeof v === "string";
}
