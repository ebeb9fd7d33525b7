// Calls allowed only in a window of time that a description states against the clock. Two shapes:
// a time the record keeps must still be ahead ("cancels a scheduled pickup before its window opens
// (min_datetime)", "can be changed until its start_time"), and a time the call gives must be neither
// past nor too far ahead ("the window must start now or later, at most 7 days ahead", "the
// appointment cannot be in the past", "no more than 30 days in advance"). Bookings, reservations,
// pickups and deliveries are described this way; each becomes a comparison with the clock.
import type { Field } from "../../lib/contracts/domain-schema.ts";
import type { ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { leaves, nameWords } from "../../lib/data-pack/places.ts";
import type { Parameter } from "../../lib/service-tools/tool-text.ts";
import { here, nowFor, type RuleContext } from "./context.ts";

const UNIT_SECONDS: Record<string, number> = { minute: 60, hour: 3600, day: 86400, week: 604800 };

/** "before its window opens (min_datetime)", "until the start_time": the words, and a field named in brackets. */
const BEFORE_RECORD_TIME =
  /\b(before|until)\s+(?:its|the|their)\s+([a-z_ ]+?)(?:\s+(?:opens|starts|begins|expires|ends|closes|passes|is reached|arrives))?\s*(?:\(\s*([a-z_][a-z0-9_.]*)\s*\)|[,.;]|$)/g;
/** "must start now or later", "cannot be in the past", "has to be in the future". */
const NOT_PAST =
  /\b(?:must|should|has to|have to|needs? to)\s+(?:start|begin|be|fall)\s+(?:now or later|now or in the future|in the future|later than now|after now)\b|\b(?:cannot|can not|may not|must not)\s+(?:start|begin|be)\s+in the past\b/;
/** "at most 7 days ahead", "no more than 30 days in advance", "within the next 14 days". */
const AHEAD =
  /\b(?:at most|no more than|up to|not more than)\s+(\d+)\s+(minute|hour|day|week)s?\s+(?:ahead|in advance|from now|out|into the future)\b|\bwithin the next\s+(\d+)\s+(minute|hour|day|week)s?\b/;

/** Every window against the clock the tool's description states. */
export function timeWindows(c: RuleContext): void {
  recordTimesAhead(c);
  givenTimesInWindow(c);
}

/** "before its window opens (min_datetime)": the call is refused once the clock reaches the record's time. */
function recordTimesAhead(c: RuleContext): void {
  const target = c.target;
  if (!target || c.subject.kind !== "change") return;
  const times = leaves(target.fields).filter((l) => l.field.format === "date-time");
  for (const { sentence, source } of c.sentences("description")) {
    const text = sentence.replaceAll("`", "");
    for (const m of text.matchAll(BEFORE_RECORD_TIME)) {
      const named = m[3] ? times.find((l) => l.path.join(".") === m[3]) : undefined;
      // Without a field in brackets, the words must be a time field's own name ("before its start time").
      const words = (m[2] as string).trim().split(/[\s_]+/);
      const byWords = times.find((l) => {
        const fieldWords = nameWords(l.path.at(-1) as string);
        return fieldWords.length === words.length && fieldWords.every((w, i) => w === words[i]);
      });
      const leaf = named ?? byWords;
      if (!leaf) continue;
      const op = m[1] === "until" ? "<=" : "<";
      c.require(
        { kind: "compare", condition: { left: nowFor(leaf.field), op, right: { kind: "read", place: here(leaf.path) } } },
        source,
        m[0].trim(),
      );
    }
  }
}

/** "must start now or later, at most 7 days ahead": the time the call gives is not past, and not too far ahead. */
function givenTimesInWindow(c: RuleContext): void {
  const times = c.text.parameters.filter(givesTime);
  if (times.length === 0) return;
  for (const { sentence, source } of c.sentences("description")) {
    const text = sentence.replaceAll("`", "");
    if (!NOT_PAST.test(text) && !AHEAD.test(text)) continue;
    const param = timeSpoken(text, times);
    if (!param) continue;
    const now: ValueExpr = nowFor(fieldOfTimes(c, param));
    if (NOT_PAST.test(text))
      c.require({ kind: "compare", condition: { left: { kind: "parameter", name: param.name }, op: ">=", right: now } }, source, text);
    const ahead = AHEAD.exec(text);
    if (ahead) {
      const count = Number(ahead[1] ?? ahead[3]);
      const unit = UNIT_SECONDS[(ahead[2] ?? ahead[4]) as string] as number;
      const limit = { ...now, offsetSeconds: count * unit } as ValueExpr;
      c.require({ kind: "compare", condition: { left: { kind: "parameter", name: param.name }, op: "<=", right: limit } }, source, text);
    }
  }
}

/** A parameter that holds a date-time: its name says so, or its description's example is one. */
function givesTime(p: Parameter): boolean {
  if (p.type !== "string") return false;
  if (/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(p.description)) return true;
  return /(^|_)(datetime|date_time|time|at)$/.test(p.name) || /\b(iso 8601|date-time|timestamp)\b/i.test(p.description);
}

/** Which time a sentence bounds: one it names, else the one a window starts at ("must start"), else the only one. */
function timeSpoken(text: string, times: readonly Parameter[]): Parameter | null {
  const named = times.filter((p) => new RegExp(`\\b${p.name}\\b`).test(text));
  if (named.length === 1) return named[0] as Parameter;
  if (times.length === 1) return times[0] as Parameter;
  if (/\b(?:start|starts|begin|begins|open|opens)\b/.test(text)) {
    const starts = times.filter(
      (p) =>
        /(^|_)(min|start|from|begin|begins|earliest|open|opens)(_|$)/.test(p.name) || /\b(earliest|start|begins?)\b/i.test(p.description),
    );
    if (starts.length === 1) return starts[0] as Parameter;
  }
  return null;
}

/** How the data writes the times a parameter gives: the target's field of that name, else whole seconds in UTC. */
function fieldOfTimes(c: RuleContext, param: Parameter): Pick<Field, "wholeSeconds" | "utcOffset" | "unixSeconds"> {
  const field = c.target ? leaves(c.target.fields).find((l) => l.path.at(-1) === param.name)?.field : undefined;
  return field ?? { wholeSeconds: true };
}
