// A session kept as a flag: a single record (`session`) whose boolean field says someone is signed in
// (`signedIn`, `logged_in`, `is_authenticated`), with the times of the last sign-in and sign-out.
// One tool signs in and out — two tools (`login`, `logout`), or one with an argument that says which
// (`action: "sign_in" | "sign_out"`) — and the service's other tools are refused while signed out
// when the catalog or the policy says so ("every other tool needs a signed-in session").
import type { Field, Table } from "../../lib/contracts/domain-schema.ts";
import type { Condition, Place } from "../../lib/contracts/tool-rules.ts";
import { nameWords } from "../../lib/data-pack/places.ts";
import { isTime, nowFor, type RuleContext } from "./context.ts";

export interface SessionFlag {
  session: Table;
  flag: Field;
}

const FLAG = /^(?:is_)?(?:signed_in|logged_in|signed_on|logged_on|authenticated|authorized|authorised)$/;

/** The service's session flag, when a single record keeps one. */
export function sessionFlag(tables: Iterable<Table>): SessionFlag | null {
  for (const session of tables) {
    if (session.storage !== "single") continue;
    const flag = session.fields.find((f) => f.type === "boolean" && FLAG.test(nameWords(f.name).join("_")));
    if (flag) return { session, flag };
  }
  return null;
}

export const flagPlace = (s: SessionFlag, field: string = s.flag.name): Place => ({
  hops: [],
  root: { table: s.session.name },
  path: [field],
});

type Way = "in" | "out";
const IN = /\b(?:sign(?:s|ing)?|log(?:s|ging)?)[\s_-]?(?:in|on)\b|\blogin\b|\bsignin\b|\bauthenticat\w*/;
const OUT = /\b(?:sign(?:s|ing)?|log(?:s|ging)?)[\s_-]?(?:out|off)\b|\blogout\b|\bsignout\b/;

/** Which way a word or phrase signs: `sign_in`, `login`, `logout`, `sign out`. */
function wayOf(text: string): Way | null {
  const t = text.toLowerCase().replaceAll("_", " ");
  const out = OUT.test(t);
  const into = IN.test(t);
  return out === into ? null : out ? "out" : "in";
}

/**
 * The ways a tool signs, each with the condition under which it does: an enum argument whose
 * values sign in and out (`action`), else the tool's own name or, failing that, its first sentence.
 */
export function signingWays(c: RuleContext): { way: Way; when: Condition[] }[] {
  for (const p of c.text.parameters) {
    const ways = (p.enum ?? []).flatMap((v) => {
      const way = typeof v === "string" ? wayOf(v) : null;
      return way ? [{ way, value: v }] : [];
    });
    if (ways.some((w) => w.way === "in") && ways.some((w) => w.way === "out"))
      return ways.map(({ way, value }) => ({
        way,
        when: [{ left: { kind: "parameter", name: p.name }, op: "==", right: { kind: "constant", value } }],
      }));
  }
  const way = wayOf(c.text.name) ?? wayOf(c.text.sentences[0] ?? "");
  return way ? [{ way, when: [] }] : [];
}

/**
 * Signing in and out on a session flag: signing in sets the flag and the time of the last sign-in,
 * and is refused for an account other than the session's own (an email argument against the
 * session's field of the same shape); signing out clears the flag and sets the time of the last
 * sign-out. Each applies only on the calls that sign that way.
 */
export function signInAndOut(c: RuleContext): void {
  const s = sessionFlag(c.tables.values());
  if (!s || c.target !== s.session || c.subject.keyParameter) return;
  for (const { way, when } of signingWays(c)) {
    c.effect(
      { kind: "set", place: flagPlace(s), value: { kind: "constant", value: way === "in" } },
      "description",
      `signing ${way} sets ${s.session.name}.${s.flag.name} to ${way === "in"} (${c.text.name} signs ${way})`,
      when,
    );
    const time = s.session.fields.find((f) => isTime(f) && wayOf(f.name.replace(/([a-z])([A-Z])/g, "$1_$2")) === way);
    if (time)
      c.effect(
        { kind: "set", place: flagPlace(s, time.name), value: nowFor(time) },
        "description",
        `signing ${way} sets ${s.session.name}.${time.name} to now`,
        when,
      );
    if (way !== "in") continue;
    for (const p of c.text.parameters) {
      if (p.type !== "string" || p.enum) continue;
      const account = s.session.fields.find(
        (f) => f.type === "string" && f.format !== undefined && (f.format === p.name || nameWords(p.name).includes(f.format)),
      );
      if (!account) continue;
      const given: Condition = { left: { kind: "parameter", name: p.name }, op: "given" };
      c.requireWhen(
        {
          kind: "compare",
          condition: { left: { kind: "parameter", name: p.name }, op: "==", right: { kind: "read", place: flagPlace(s, account.name) } },
        },
        [...when, given],
        "data",
        `only the session's own ${account.name} signs in (${p.name} equals ${s.session.name}.${account.name})`,
      );
    }
  }
}

/** A sentence that makes a signed-in session a condition of every tool but those that sign in. */
const EVERY_TOOL =
  /\b(?:every|all|any|each)\s+(?:other\s+)?(?:tools?|calls?|operations?|actions?)\b[^.]*\b(?:needs?|requires?|refuses?|fails?|must)\b[^.]*\b(?:signed|logged)[\s-]?(?:in|out)\b|\b(?:signed|logged)[\s-]?in\b[^.]*\bbefore\s+(?:any|every)\s+other\s+tool\b/;

/**
 * Calls refused while signed out: the tool's own description says it needs a signed-in session, or
 * a sibling's description or the policy says every other tool does. Tools that sign in or out are
 * not bound by it. True when the service keeps such a flag (then it, not a person's key in the
 * session, is what "signed in" means).
 */
export function signedInFlag(c: RuleContext, siblingSentences: readonly string[], policy: readonly string[]): boolean {
  const s = sessionFlag(c.tables.values());
  if (!s) return false;
  if (c.target === s.session && signingWays(c).length > 0) return true;
  const own = c
    .sentences("description")
    .find(({ sentence }) => /\b(?:signed|logged)[\s-]?in\b/.test(sentence) && /\b(?:needs?|requires?|must)\b/.test(sentence));
  const sibling = siblingSentences.find((sentence) => EVERY_TOOL.test(sentence));
  const stated = policy.map((p) => p.toLowerCase()).find((sentence) => EVERY_TOOL.test(sentence));
  const said = own
    ? { sentence: own.sentence, source: own.source }
    : sibling
      ? { sentence: sibling, source: "description" as const }
      : stated
        ? { sentence: stated, source: "policy" as const }
        : null;
  if (!said) return true;
  c.require(
    { kind: "compare", condition: { left: { kind: "read", place: flagPlace(s) }, op: "==", right: { kind: "constant", value: true } } },
    said.source,
    `someone is signed in (${s.session.name}.${s.flag.name} is true): ${said.sentence}`,
  );
  return true;
}
