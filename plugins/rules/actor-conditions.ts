// Conditions on who calls and on what: "when the requester comments on a ticket that is pending or
// solved" — the acting person the call names (`author_id`) is the record's requester
// (`requester_id`), and the record is in one of the states named. A role is a field of the record
// that refers to the people the acting parameter names (by its key table, or by its description).
import type { Condition } from "../../lib/contracts/tool-rules.ts";
import { nameWords } from "../../lib/data-pack/places.ts";
import { keyTable } from "../../lib/service-tools/subject.ts";
import type { RuleContext } from "./context.ts";
import { statusesIn } from "./statuses.ts";

/** The conditions "the <role> <acts> [on a <record> that is A or B]" states, or null when it is not so written. */
export function actorConditions(c: RuleContext, phrase: string): Condition[] | null {
  const target = c.target;
  if (!target) return null;
  const m = /^(?:the|its)\s+([a-z]+)\s+([a-z]+)\b\s*(.*)$/.exec(phrase.trim());
  if (!m) return null;
  const [, role, verb, rest] = m as unknown as [string, string, string, string];
  // The verb is the tool's own act ("comments" for add_ticket_comment, "replies"), not a state ("is").
  if (/^(is|are|was|has|have|does|did|can|may|must)$/.test(verb)) return null;
  const field = target.fields.find((f) => (f.name === `${role}_id` || f.name === role) && f.references);
  const people = field?.references ? c.tables.get(field.references) : undefined;
  if (!field || !people) return null;
  const tables = [...c.tables.values()];
  const entityWord = people.entity.split(" ").at(-1) as string;
  const actor = c.text.parameters.find(
    (p) =>
      !c.identifying.has(p.name) &&
      p.name !== field.name &&
      /(^|_)id$/.test(p.name) &&
      (keyTable(p, tables) === people || nameWords(p.description).includes(entityWord)),
  );
  if (!actor) return null;
  const out: Condition[] = [
    { left: { kind: "parameter", name: actor.name }, op: "==", right: { kind: "read", place: { hops: [], path: [field.name] } } },
  ];
  const status = target.status;
  const head = target.entity.split(" ").at(-1) as string;
  const on = new RegExp(
    String.raw`^(?:on|to|for|in)\s+(?:a|an|the|their|its)\s+(?:${target.entity}|${head})\s+(?:that|which)\s+is\s+(.+)$`,
  ).exec(rest);
  if (rest !== "" && !on) return null;
  if (on && status) {
    const states = statusesIn(on[1] as string, status.values);
    if (states.length === 0) return null;
    const place = { hops: [], path: [status.field] };
    out.push(
      states.length === 1
        ? { left: { kind: "read", place }, op: "==", right: { kind: "constant", value: states[0] } }
        : { left: { kind: "read", place }, op: "in", right: { kind: "constant", value: states } },
    );
  }
  return out;
}
