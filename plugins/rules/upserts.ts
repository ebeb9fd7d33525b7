// Tools that add a record or update it when it is there already ("Add a member to an audience, or
// update the member if the address is already on it"; `create_or_update_…`, `upsert_…`): the record
// the call names (by a digest of its text, or its key, among the records of the parents the call's
// keys name), when there is one, takes the fields the call gives, and nothing new is made. A
// parameter `<field>_if_new` gives that field to a new record only; `<field>` itself, to either.
import type { ServiceModel } from "../../lib/contracts/tool-rules.ts";
import { digestField, keyTable } from "../../lib/service-tools/subject.ts";
import type { RuleContext } from "./context.ts";

const SAYS =
  /\b(?:or|else)\s+(?:update|updates|updating|replace|replaces|edit|edits|modify|modifies|change|changes)\b|\bupsert|\bif (?:it|the [a-z ]+) (?:is )?already (?:exists?|there|on)|\bcreates? (?:it )?if (?:it )?(?:does not|doesn't) exist/;

/** Whether the tool's name or description says it adds or updates. */
function addsOrUpdates(c: RuleContext): boolean {
  return SAYS.test(c.text.words.join(" ")) || SAYS.test((c.text.sentences[0] ?? "").toLowerCase());
}

export function upserts(c: RuleContext, service: ServiceModel): void {
  const table = c.target;
  if (!table || c.subject.kind !== "create" || table.storage === "single" || !service.fields) return;
  // `status_if_new`: the new record's status; `status`, what an existing one becomes.
  for (const p of c.text.parameters) {
    const field = /^(.+)_if_new$/.exec(p.name)?.[1];
    if (field && table.fields.some((f) => f.name === field)) service.fields[field] = { kind: "parameter", name: p.name };
  }
  if (keptRecord(c, service)) return;
  if (!addsOrUpdates(c)) return;
  const tables = [...c.tables.values()];
  const match: ServiceModel["match"] = [];
  for (const p of c.text.parameters) {
    const digest = digestField(p, table);
    const source = table.fields.find((f) => f.name === digest)?.digestOf?.field;
    if (digest && source) {
      match.push({ parameter: p.name, path: [digest], mode: "equal", or: [source] });
      continue;
    }
    const named = keyTable(p, tables);
    if (named === table) match.push({ parameter: p.name, path: [table.key], mode: "equal" });
  }
  // The record itself must be named; the parents it belongs to narrow where it is looked for.
  if (match.length === 0) return;
  for (const p of c.text.parameters) {
    const named = keyTable(p, tables);
    const link = named && named !== table ? table.fields.find((f) => f.references === named.name) : undefined;
    if (link && p.required) match.push({ parameter: p.name, path: [link.name], mode: "equal" });
  }
  const identifying = new Set(match.map((m) => m.parameter));
  const set: Record<string, string> = {};
  for (const p of c.text.parameters)
    if (!identifying.has(p.name) && table.fields.some((f) => f.name === p.name && f.name !== table.key)) set[p.name] = p.name;
  service.match = match;
  service.upsert = { set };
}

/** "If the account already has an alert for the same keyword and source, that alert is returned (and nothing is charged)." */
const KEPT =
  /\bif\s+the\s+([a-z]+)\s+already\s+(?:has|holds|owns)\s+an?\s+([a-z]+)\s+(?:for|with)\s+(?:the\s+)?same\s+([a-z_ ,]+?),\s+(?:that|this|the existing)\s+[a-z]+\s+is\s+(?:returned|answered|shown)/;

/**
 * A record there already is for the same values is answered as it is: found by the parameters the
 * "same …" words name and by the owner the sentence names (the parameter that names that record),
 * and the call changes nothing for it.
 */
function keptRecord(c: RuleContext, service: ServiceModel): boolean {
  const table = c.target;
  if (!table) return false;
  const said = c.text.sentences.map((s) => KEPT.exec(s)).find((m) => m);
  if (!said || !table.entity.split(" ").includes(said[2] as string)) return false;
  const tables = [...c.tables.values()];
  const match: ServiceModel["match"] = [];
  for (const phrase of (said[3] as string).split(/\s*,\s*|\s+and\s+/)) {
    const name = phrase.trim().replaceAll(" ", "_");
    const p = c.text.parameters.find((q) => q.name === name);
    if (!p || !table.fields.some((f) => f.name === p.name)) return false;
    match.push({ parameter: p.name, path: [p.name], mode: "equal" });
  }
  const owner = c.text.parameters.find((p) => keyTable(p, tables)?.entity.split(" ").at(-1) === said[1]);
  const link = owner ? table.fields.find((f) => f.references === keyTable(owner, tables)?.name) : undefined;
  if (owner && link) match.push({ parameter: owner.name, path: [link.name], mode: "equal" });
  if (match.length === 0) return false;
  service.match = match;
  service.upsert = { set: {}, kept: true };
  return true;
}
