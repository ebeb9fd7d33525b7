// A sign-in: a call on a service's one session record (a login, a switch of user) whose arguments
// are fields of the records the session refers to (an email and a password of a user). The record
// they match becomes the session's; a call that matches none is refused, and the session stays.
import type { Table } from "../../lib/contracts/domain-schema.ts";
import type { ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { here, type RuleContext } from "./context.ts";

/** Words that say a call signs someone in, where no argument is a secret. */
const SIGNS_IN =
  /\b(?:log(?:s|ged|ging)?[\s_-]?in|sign(?:s|ed|ing)?[\s_-]?in|authenticat\w*|switch(?:es)?\s+(?:to\s+)?(?:the\s+|another\s+)?(?:user|account))\b/;
/** Arguments that prove who is calling. */
const SECRET = /(?:^|_)(?:password|passcode|passphrase|pin|secret|otp)$/;

/**
 * `login(email, password)` on a `session` whose `user_id` refers to `users`: requires a user whose
 * email and password are the given ones, and sets `session.user_id` to that user's key.
 */
export function signIn(c: RuleContext): void {
  const session = c.target;
  if (session?.storage !== "single" || c.subject.keyParameter) return;
  const said = [c.text.name.replaceAll("_", " "), ...c.text.sentences].join(" ");
  for (const reference of session.fields) {
    const people = reference.references ? c.tables.get(reference.references) : undefined;
    if (!people || people.storage === "single" || c.writes(here([reference.name]))) continue;
    const given = credentials(c, people);
    if (given.length === 0) continue;
    // Every argument the call needs is one of them: a call that also names something else is no sign-in.
    if (c.text.parameters.some((p) => p.required && !given.includes(p.name))) continue;
    if (!given.some((name) => SECRET.test(name)) && !SIGNS_IN.test(said)) continue;
    const who: ValueExpr = {
      kind: "match",
      table: people.name,
      where: given.map((name) => ({ field: name, value: { kind: "parameter", name } })),
    };
    const text = `the ${people.entity} whose ${given.join(" and ")} are the given ones becomes the ${session.entity}'s ${reference.name} (${c.text.name})`;
    const source = SIGNS_IN.test(c.text.name.replaceAll("_", " ")) ? "name" : "description";
    c.require({ kind: "compare", condition: { left: who, op: "given" } }, source, text);
    c.effect({ kind: "set", place: here([reference.name]), value: who }, source, text);
    return;
  }
}

/** The call's arguments that are fields of `people` by name (not its key, not a reference, not a list). */
function credentials(c: RuleContext, people: Table): string[] {
  return c.text.parameters
    .filter((p) => p.type !== "array" && p.type !== "object")
    .filter((p) => people.fields.some((f) => f.name === p.name && f.name !== people.key && !f.references && f.type !== "array"))
    .map((p) => p.name);
}
