// Records an array argument names under a role its description gives them ("Source ticket ids to
// close into the target"), and what the description says of each by that role: "the source's
// status becomes closed", "a public comment by the author is added to the source", "updated_at of
// every ticket involved is set to now". Each record of the tool's own table the array names gets
// those fields and that entry (`set-named` with `append`); "… is added to the target", the role
// of the key parameter, is an entry on the tool's own record. Without this, "the source's status"
// read as the tool's own record's status.
import type { Field } from "../../lib/contracts/domain-schema.ts";
import type { ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { nameWords } from "../../lib/data-pack/places.ts";
import { singular } from "../../lib/domain-model/words.ts";
import { here, nowFor, type RuleContext } from "./context.ts";

/** The role a parameter's description opens with ("Source ticket ids …" → source), when it speaks of the tool's entity. */
function roleOf(description: string, entity: string): string | null {
  const m = /^\s*(?:the\s+)?([a-z]+)\s+(.*)$/.exec(description.toLowerCase());
  if (!m) return null;
  const said = nameWords((m[2] as string).replace(/[^a-z ]/g, " ").replaceAll(" ", "_")).map(singular);
  return nameWords(entity.replaceAll(" ", "_")).every((w) => said.includes(w)) ? (m[1] as string) : null;
}

export function roleRecords(c: RuleContext): void {
  const target = c.target;
  if (!target || c.subject.kind !== "change") return;
  const named = c.text.parameters.find(
    (p) => p.type === "array" && !c.identifying.has(p.name) && roleOf(p.description, target.entity) !== null,
  );
  if (!named) return;
  const role = roleOf(named.description, target.entity) as string;
  const own = c.subject.keyParameter ? c.parameter(c.subject.keyParameter) : undefined;
  const ownRole = own ? roleOf(own.description ?? "", target.entity) : null;
  if (ownRole === role) return;
  const entity = nameWords(target.entity.replaceAll(" ", "_")).join(" ");
  for (const { sentence, source } of c.sentences("description")) {
    const fields: Record<string, ValueExpr> = {};
    let ownEntry: { path: string[]; element: Record<string, ValueExpr> } | undefined;
    const state = new RegExp(`\\bthe ${role}'s ([a-z_]+) becomes ([a-z_]+)`).exec(sentence);
    const field = state ? target.fields.find((f) => f.name === state[1]) : undefined;
    if (state && field) {
      const value = (field.enum ?? target.status?.values ?? []).find((v) => String(v).toLowerCase() === state[2]);
      if (value !== undefined) fields[field.name] = { kind: "constant", value };
    }
    const stamped = new RegExp(`\\b([a-z_]+) of every ${entity} involved is set to now\\b`).exec(sentence);
    const stamp = stamped ? target.fields.find((f) => f.name === stamped[1]) : undefined;
    if (stamp) fields[stamp.name] = nowFor(stamp);
    const entryOn = (who: string) => {
      const m = new RegExp(
        `\\b(?:an?|one)\\s+(?:[a-z]+\\s+)?([a-z]+)(?:\\s+by\\s+[a-z ]+?)?\\s+is\\s+(?:added|appended)\\s+to\\s+the\\s+${who}\\b`,
      ).exec(sentence);
      const list = m ? target.fields.find((f) => f.type === "array" && singular(f.name) === m[1] && f.items?.type === "object") : undefined;
      if (!list) return undefined;
      const element = c.entryFromCall(list.items?.fields as Field[], [], { name: list.name, entries: c.entriesAt(target, [list.name]) });
      return element ? { path: [list.name], element } : undefined;
    };
    const append = entryOn(role);
    if (ownRole) ownEntry = entryOn(ownRole);
    if (Object.keys(fields).length === 0 && !append) continue;
    // What another reading made of "the source's status" on the tool's own record gives way.
    for (let i = c.effects.length - 1; i >= 0; i--) {
      const r = c.effects[i];
      if (r?.rule.kind === "set" && !r.rule.place.root && r.rule.place.hops.length === 0 && r.text.toLowerCase() === sentence)
        if ((r.rule.place.path[0] as string) in fields && (r.rule.place.path[0] as string) !== stamp?.name) c.effects.splice(i, 1);
    }
    c.effect({ kind: "set-named", table: target.name, each: named.name, fields, ...(append ? { append } : {}) }, source, sentence);
    if (ownEntry && !c.writes(here(ownEntry.path)))
      c.effect({ kind: "append", place: here(ownEntry.path), element: ownEntry.element }, source, sentence);
  }
}
