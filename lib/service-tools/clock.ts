// The day a service's texts say it is ("Today is 2025-06-12.", "The current time is 2024-05-15
// 15:00:00 EST", "today's date is June 12, 2025"): its task clock, so that dates the service
// writes and compares are the ones its own reference would use.

const MONTHS = "january february march april may june july august september october november december".split(" ");
const ZONES: Record<string, string> = {
  utc: "Z",
  gmt: "Z",
  z: "Z",
  est: "-05:00",
  edt: "-04:00",
  cst: "-06:00",
  cdt: "-05:00",
  mst: "-07:00",
  mdt: "-06:00",
  pst: "-08:00",
  pdt: "-07:00",
  cet: "+01:00",
  cest: "+02:00",
};
const NOW_WORDS =
  /\b(today|current (?:date|time|day)|the date is|the time is|it is now|now is|as of|clock (?:reads|is|says|shows|stands at))\b/i;

/**
 * The clock, as ISO 8601 in UTC (`2025-06-12T09:00:00Z` when only the day is said), or null when no
 * sentence says it. "Today is 2025-10-14. The service clock reads 2025-10-14T09:30:00Z": a later
 * sentence that gives the time of that same day says more than the first.
 */
export function clockOf(text: string): string | null {
  for (const sentence of text.split(/(?<=[.!?])\s+|\n+/)) {
    if (!NOW_WORDS.test(sentence)) continue;
    const found = isoIn(sentence) ?? wordsIn(sentence);
    if (found) return found.timed ? found.clock : (timeOfDayIn(text, found.clock) ?? found.clock);
  }
  return null;
}

/**
 * "Today is 2025-06-12. … every timestamp the service writes is 2025-06-12T12:00:00Z": a day said
 * alone takes the time the text gives that same day elsewhere, when it gives one time only.
 */
function timeOfDayIn(text: string, clock: string): string | null {
  const day = clock.slice(0, 10);
  const times = new Set<string>();
  for (const m of text.matchAll(
    /\b(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*(Z|[+-]\d{2}:?\d{2}|[A-Za-z]{1,4}\b)?/g,
  )) {
    const time = utc(Number(m[1]), Number(m[2]), Number(m[3]), m[4], m[5], m[6], m[7]);
    if (time && `${m[1]}-${m[2]}-${m[3]}` === day) times.add(time);
  }
  return times.size === 1 ? ([...times][0] as string) : null;
}

type Found = { clock: string; timed: boolean } | null;

const dated = (clock: string | null, timed: boolean): Found => (clock ? { clock, timed } : null);

function isoIn(sentence: string): Found {
  const all = [
    ...sentence.matchAll(
      /\b(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*(Z|[+-]\d{2}:?\d{2}|[A-Za-z]{1,4}\b)?)?/g,
    ),
  ];
  // "Today is 2025-10-14; the current time is 2025-10-14T15:00:00Z": the one with a time says more.
  const m = all.find((found) => found[4]) ?? all[0];
  if (!m) return null;
  if (m[4]) return dated(utc(Number(m[1]), Number(m[2]), Number(m[3]), m[4], m[5], m[6], m[7]), true);
  // "Today is 2025-05-06 and the time is 10:00 UTC": the time said elsewhere in the sentence.
  const time = timeIn(sentence.slice((m.index ?? 0) + m[0].length));
  return dated(utc(Number(m[1]), Number(m[2]), Number(m[3]), time?.hour, time?.minute, time?.second, time?.zone), time !== null);
}

function wordsIn(sentence: string): Found {
  const m = new RegExp(`\\b(${MONTHS.join("|")})\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+(\\d{4})`, "i").exec(sentence);
  if (!m) return null;
  const time = timeIn(sentence.slice((m.index ?? 0) + m[0].length));
  const clock = utc(
    Number(m[3]),
    MONTHS.indexOf((m[1] as string).toLowerCase()) + 1,
    Number(m[2]),
    time?.hour,
    time?.minute,
    time?.second,
    time?.zone,
  );
  return dated(clock, time !== null);
}

/**
 * A time of day said in a text (`10:00 UTC`, `3:30 pm EST`). Of several, the first whose zone is
 * known: "09:00 Pacific Time (16:00 UTC)" is 16:00 UTC, not 09:00 read as UTC.
 */
function timeIn(text: string): { hour: string; minute: string; second?: string; zone?: string } | null {
  const times = [...text.matchAll(/\b(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(am|pm)?\s*([A-Za-z]{1,4}\b)?/gi)].map((t) => {
    const hour = t[4] ? String((Number(t[1]) % 12) + (t[4].toLowerCase() === "pm" ? 12 : 0)) : (t[1] as string);
    const zone = t[5] && ZONES[t[5].toLowerCase()] ? t[5] : undefined;
    return { hour, minute: t[2] as string, ...(t[3] ? { second: t[3] } : {}), ...(zone ? { zone } : {}) };
  });
  return times.find((t) => t.zone !== undefined) ?? times[0] ?? null;
}

function utc(y: number, mo: number, d: number, h?: string, mi?: string, s?: string, zone?: string): string | null {
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return null;
  const offset = zone
    ? (ZONES[zone.toLowerCase()] ?? (/^[+-]\d{2}:?\d{2}$/.test(zone) ? zone.replace(/^([+-]\d{2})(\d{2})$/, "$1:$2") : "Z"))
    : "Z";
  const pad = (n: number | string) => String(n).padStart(2, "0");
  const local = `${y}-${pad(mo)}-${pad(d)}T${pad(h ?? 9)}:${pad(mi ?? 0)}:${pad(s ?? 0)}${offset}`;
  const time = Date.parse(local);
  return Number.isNaN(time) ? null : `${new Date(time).toISOString().slice(0, 19)}Z`;
}
