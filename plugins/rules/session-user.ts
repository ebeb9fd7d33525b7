// The person a service acts for, found through its one session record: a single-record collection
// (`session`) whose field refers to the people (`user_id` → users). Personal-assistant services say
// "requires a logged-in session" (someone is signed in, and the session has not expired) and refuse
// calls by a field of that person ("refused with 403 when the logged-in user's plan is 'free'").
import type { Field, Table } from "../../lib/contracts/domain-schema.ts";
import type { Place } from "../../lib/contracts/tool-rules.ts";
import { nameWords } from "../../lib/data-pack/places.ts";
import { isTime, type RuleContext } from "./context.ts";

export interface SessionUser {
  session: Table;
  /** The session's field holding the person's key. */
  field: Field;
  people: Table;
}

/** The service's session and the people it refers to, when it keeps one; the field named for a person first. */
export function sessionUser(c: RuleContext): SessionUser | null {
  const found: SessionUser[] = [];
  for (const session of c.tables.values()) {
    if (session.storage !== "single") continue;
    for (const field of session.fields) {
      const people = field.references ? c.tables.get(field.references) : undefined;
      if (people && people.storage !== "single") found.push({ session, field, people });
    }
  }
  const person = /(?:^|_)(?:user|account|member|customer|person|owner|profile)(?:_|$)/;
  return found.find((f) => person.test(f.field.name) && /session|login|auth/.test(f.session.name)) ?? found[0] ?? null;
}

/** The place of a field of the signed-in person's record (`path` empty: the person's key in the session). */
export function personPlace(s: SessionUser, path: readonly string[]): Place {
  return path.length === 0
    ? { hops: [], root: { table: s.session.name }, path: [s.field.name] }
    : { hops: [{ field: s.field.name, table: s.people.name }], root: { table: s.session.name }, path: [...path] };
}

/** "Requires a logged-in session", "the user must be signed in", "needs an authenticated user". */
const SIGNED_IN =
  /\b(?:requires?|needs?)\s+(?:an?\s+)?(?:valid\s+)?(?:logged[- ]in|signed[- ]in|authenticated|active)\s+(?:session|user|account)\b|\bmust\s+(?:be\s+)?(?:logged|signed)\s+in\b|\bonly\s+(?:works\s+)?(?:when|while)\s+(?:someone|a user|the user)\s+is\s+(?:logged|signed)\s+in\b/;
/** A session's time after which it no longer counts (`expires_at`, `valid_until`). */
const EXPIRY = /expir|valid_until|valid_to/;

/**
 * A call that requires a signed-in session is refused when nobody is signed in, or when the
 * session's expiry is past (a session record keeps one), as the service's clock reads.
 */
export function signedInSession(c: RuleContext): void {
  const s = sessionUser(c);
  if (!s) return;
  // The tool's own words: a policy line that names the sign-in tools as exceptions speaks of them too.
  const said = c.sentences("description").find(({ sentence }) => SIGNED_IN.test(sentence));
  if (!said) return;
  c.require(
    { kind: "compare", condition: { left: { kind: "read", place: personPlace(s, []) }, op: "given" } },
    said.source,
    `someone is signed in (${s.session.name}.${s.field.name} is set): ${said.sentence}`,
  );
  const expiry = s.session.fields.find((f) => isTime(f) && EXPIRY.test(f.name));
  if (expiry)
    c.require(
      {
        kind: "compare",
        condition: {
          left: { kind: "read", place: { hops: [], root: { table: s.session.name }, path: [expiry.name] } },
          op: ">",
          right: { kind: "now", wholeSeconds: true },
        },
      },
      said.source,
      `the session has not expired (${s.session.name}.${expiry.name} is later than now): ${said.sentence}`,
    );
}

/** "refused (with 403 …) when the logged-in user's product is "free"": the person's field must not hold that value. */
const PERSON_VALUE =
  /\b(?:refused|rejected|denied|fails?)\b[^.;]*?\bwhen\s+the\s+(?:logged[- ]in|signed[- ]in|current|authenticated|calling)\s+(?:user|account|member|customer|person)'s\s+([a-z][a-z_ ]*?)\s+is\s+["'`]([^"'`]+)["'`]/;

export function signedInPersonRefusals(c: RuleContext): void {
  const s = sessionUser(c);
  if (!s) return;
  for (const { sentence, written, source } of c.sentences("description")) {
    const m = PERSON_VALUE.exec(sentence);
    if (!m) continue;
    const words = nameWords((m[1] as string).trim().replaceAll(" ", "_")).join("_");
    const field = s.people.fields.find((f) => f.name === words || nameWords(f.name).join("_") === words);
    if (!field) continue;
    // The value as the service writes it (case kept from the written sentence).
    const value = new RegExp(`["'\`](${(m[2] as string).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")})["'\`]`, "i").exec(written)?.[1] ?? m[2];
    c.require(
      {
        kind: "compare",
        condition: { left: { kind: "read", place: personPlace(s, [field.name]) }, op: "!=", right: { kind: "constant", value } },
      },
      source,
      `the signed-in ${s.people.entity}'s ${field.name} is not ${value}: ${sentence}`,
    );
  }
}
