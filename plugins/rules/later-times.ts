// Times a call sets some while after itself: "expires_at = current time + 3600 s", "the hold's
// expires_at is set to now plus 2 hours", "due_at becomes 7 days from now". The field gets the
// clock moved on by that long, written as the data writes its times.

import { clausesOf } from "./clauses.ts";
import type { RuleContext } from "./context.ts";
import { resolvePlace } from "./resolve.ts";

const UNIT_SECONDS: Record<string, number> = {
  s: 1,
  sec: 1,
  second: 1,
  m: 60,
  min: 60,
  minute: 60,
  h: 3600,
  hr: 3600,
  hour: 3600,
  d: 86400,
  day: 86400,
  week: 604800,
};
const UNIT = String.raw`(seconds?|secs?|s|minutes?|mins?|hours?|hrs?|h|days?|d|weeks?)\b`;
const SETS = "(?:=|is set to|are set to|becomes|become|is|will be)";
const NOW = String.raw`(?:the\s+)?(?:current time|current date and time|now|time of the call|call's time)`;
const AMOUNT = String.raw`(\d+(?:\.\d+)?|an?|one)`;
/** "X = now + 3600 s", "X is set to the current time plus 2 hours". */
const AFTER_NOW = new RegExp(String.raw`^(.+?)\s*${SETS}\s*${NOW}\s*(?:\+|plus)\s*${AMOUNT}\s*${UNIT}`);
/** "X becomes 7 days from now", "X is set to 30 minutes after the call". */
const FROM_NOW = new RegExp(String.raw`^(.+?)\s*${SETS}\s*${AMOUNT}\s*${UNIT}\s+(?:from now|after the call|after now|later)`);

/** Each date-time field a description sets to a time after the call's, as a `set` effect of the clock plus that long. */
export function laterTimes(c: RuleContext): void {
  for (const clause of clausesOf(c.sentences("description"))) {
    // A list of changes ("login_count is incremented, token_type "Bearer", expires_at = now + 3600 s"): each part on its own.
    for (const part of new Set([clause.text, ...clause.text.split(/,\s+|\s+and\s+/)])) {
      const m = AFTER_NOW.exec(part) ?? FROM_NOW.exec(part);
      if (!m) continue;
      const place = resolvePlace(c, m[1] as string, (kind) => kind === "date");
      if (place?.field.format !== "date-time" || c.writes(place.place)) continue;
      const count = /^\d/.test(m[2] as string) ? Number(m[2]) : 1;
      const unit = (m[3] as string).length > 1 ? (m[3] as string).replace(/s$/, "") : (m[3] as string);
      const seconds = count * (UNIT_SECONDS[unit] ?? UNIT_SECONDS[unit.slice(0, 1)] ?? 0);
      if (seconds <= 0) continue;
      c.effect(
        {
          kind: "set",
          place: place.place,
          value: { kind: "now", offsetSeconds: seconds, ...(place.field.wholeSeconds ? { wholeSeconds: true } : {}) },
        },
        clause.source,
        clause.sentence,
      );
    }
  }
}
