// Records someone else holds the pen for: "Meetups hosted by someone else cannot be edited unless
// the host let attendees edit the meetup", "documents owned by someone else cannot be changed".
// The data says whose a record is the way Google's APIs do, by a person struct with `self: true`
// when it is the signed-in account (`host: {email, self}`, `owner: {…, self}`). An edit of a
// record whose person of that role is not the account is refused; the exception a flag of the
// record grants (`attendeesCanEdit`) lets it through. Removing such a record is not an edit.
import type { Field } from "../../lib/contracts/domain-schema.ts";
import type { Condition } from "../../lib/contracts/tool-rules.ts";
import { nameWords } from "../../lib/data-pack/places.ts";
import { singular } from "../../lib/domain-model/words.ts";
import type { RuleContext } from "./context.ts";

/** The participle that names the role ("hosted by"), and the role's field names. */
const ROLES: Record<string, string[]> = {
  organized: ["organizer", "organiser"],
  organised: ["organiser", "organizer"],
  owned: ["owner"],
  created: ["creator"],
  hosted: ["host"],
  authored: ["author"],
};
const SAID =
  /\b(?:[a-z]+\s+)?(organi[sz]ed|owned|created|hosted|authored) by (?:someone|somebody|anyone) else cannot be (?:edited|changed|modified|updated)(?:,?\s+unless ([^;.]+))?/i;
/** Verbs that edit a record, as against removing it. */
const EDITS = new Set(["patch", "update", "edit", "modify", "change", "move", "rename", "set", "reschedule"]);

export function othersRecords(c: RuleContext, policy: readonly string[]): void {
  const table = c.target;
  if (!table || c.subject.kind !== "change" || !EDITS.has(c.text.verb)) return;
  const said = [
    ...c.sentences("description").map(({ sentence, source }) => ({ sentence, source })),
    ...policy.map((sentence) => ({ sentence, source: "policy" as const })),
  ];
  for (const { sentence, source } of said) {
    const m = SAID.exec(sentence);
    if (!m) continue;
    const roles = ROLES[(m[1] as string).toLowerCase()] ?? [];
    const role = table.fields.find(
      (f) =>
        roles.includes(f.name.toLowerCase()) && f.type === "object" && f.fields?.some((g) => g.name === "self" && g.type === "boolean"),
    );
    if (!role) continue;
    const unless = m[2] ? exceptionFlag(table.fields, m[2]) : null;
    const when: Condition[] = unless
      ? [{ left: { kind: "read", place: { hops: [], path: [unless.name] } }, op: "!=", right: { kind: "constant", value: true } }]
      : [];
    const rule = {
      kind: "compare" as const,
      condition: {
        left: { kind: "read" as const, place: { hops: [], path: [role.name, "self"] } },
        op: "==" as const,
        right: { kind: "constant" as const, value: true },
      },
    };
    const text = `only a ${table.entity} whose ${role.name} is the account itself${unless ? ` (or whose ${unless.name} is true)` : ""} may be changed: ${sentence.trim()}`;
    if (when.length > 0) c.requireWhen(rule, when, source, text);
    else c.require(rule, source, text);
  }
}

/** The record's flag an "unless …" clause names: a boolean field two of whose words it says ("let attendees edit" → attendeesCanEdit). */
function exceptionFlag(fields: readonly Field[], clause: string): Field | null {
  const said = new Set(clause.toLowerCase().match(/[a-z]+/g) ?? []);
  const stem = (w: string) => singular(w.toLowerCase());
  const saidStems = new Set([...said].map(stem));
  const scored = fields
    .filter((f) => f.type === "boolean")
    .map((f) => ({ f, n: nameWords(f.name).filter((w) => w.length > 3 && saidStems.has(stem(w))).length }))
    .filter(({ n }) => n >= 2)
    .sort((a, b) => b.n - a.n);
  return scored[0]?.f ?? null;
}
