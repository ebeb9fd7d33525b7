// Refusals of a record that lacks what the act needs: "the send checklist refuses a campaign with no
// subject line, no from name, no reply-to address, or zero recipients". Each item a field of the
// tool's record (a text that must be there, a number above zero; for a struct such as `recipients`,
// its one count); an item no field of the record answers to drops the whole sentence.
import type { Field } from "../../lib/contracts/domain-schema.ts";
import type { Condition, Requirement } from "../../lib/contracts/tool-rules.ts";
import { leaves, nameWords } from "../../lib/data-pack/places.ts";
import { valueIn } from "../../lib/domain-model/service-arguments.ts";
import { singular } from "../../lib/domain-model/words.ts";
import { tableNamed } from "./clauses.ts";
import type { RuleContext } from "./context.ts";
import { resolvePlace } from "./resolve.ts";

const REFUSES =
  /\b(?:refuses|rejects|blocks|will not (?:send|accept)|cannot (?:send|be sent))\s+(?:a|an|any)\s+([a-z][a-z ]*?)\s+(?:with|that has|which has)\s+(.+?)\.?$/;

/** The field at a path of nested fields (a struct's own fields, one step at a time). */
function fieldAt(fields: readonly Field[], path: readonly string[]): Field | undefined {
  let here: Field | undefined;
  let within: readonly Field[] | undefined = fields;
  for (const step of path) {
    here = within?.find((f) => f.name === step);
    within = here?.fields;
  }
  return here;
}

export function missingRefusals(c: RuleContext): void {
  const table = c.target;
  if (!table || c.subject.kind !== "change") return;
  const head = singular(table.entity.split(" ").at(-1) ?? table.entity);
  for (const { sentence, source } of c.sentences()) {
    // Asides in parentheses ("(only subscribed members receive campaigns)") are no items.
    const m = REFUSES.exec(sentence.toLowerCase().replace(/\s*\([^)]*\)/g, ""));
    if (!m || singular((m[1] as string).split(" ").at(-1) ?? "") !== head) continue;
    const items = (m[2] as string).split(/\s*,\s*(?:or\s+|and\s+)?|\s+or\s+/).filter((s) => s.trim() !== "");
    const rules: { condition: Condition; what: string }[] = [];
    for (const item of items) {
      const lack = /^(?:no|zero|an empty|empty|a blank|blank|missing)\s+(.+)$/.exec(item.trim());
      if (!lack) break;
      const phrase = lack[1] as string;
      const found = resolvePlace(c, phrase);
      if (!found || found.place.hops.length > 0 || found.place.root) break;
      let path = found.place.path;
      const field = fieldAt(table.fields, path);
      // A struct named for what it counts (`recipients`): its one count.
      if (field?.type === "object" && field.fields) {
        const words = nameWords(phrase).map(singular);
        const counts = leaves(field.fields).filter(
          (l) =>
            (l.field.type === "integer" || l.field.type === "number") &&
            nameWords(l.path.join("_"))
              .map(singular)
              .some((w) => words.includes(w)),
        );
        if (counts.length !== 1) break;
        path = [...path, ...(counts[0]?.path ?? [])];
      }
      const leaf = fieldAt(table.fields, path);
      if (!leaf) break;
      const numeric = leaf.type === "integer" || leaf.type === "number";
      // The data must hold such a value somewhere for the rule to mean something.
      if (!c.records(table).some((r) => valueIn(r, path) !== undefined)) break;
      const read = { kind: "read" as const, place: { hops: [], path } };
      rules.push({
        condition: numeric ? { left: read, op: ">", right: { kind: "constant", value: 0 } } : { left: read, op: "given" },
        what: item.trim(),
      });
    }
    if (rules.length !== items.length) continue;
    for (const r of rules)
      c.require({ kind: "compare", condition: r.condition } as Requirement, source, `refused with ${r.what} (${sentence.trim()})`);
  }
}

const AT_LEAST_ONE =
  /\b(?:the\s+)?([a-z][a-z ]*?)\s+(?:must|needs? to|has to|should)\s+have\s+at\s+least\s+(?:one|1)\s+([a-z][a-z ]*?)(?=\s*(?:[,.;(]|\s+and\b|\s+before\b|$))|\b(?:needs?|requires?)\s+at\s+least\s+(?:one|1)\s+([a-z][a-z ]*?)(?=\s*(?:[,.;(]|\s+and\b|\s+before\b|$))/g;

/**
 * "The event must have at least one ticket class", "an event needs at least one ticket class": the
 * records of the table named that refer to the tool's record are counted, and none refuses the call.
 */
export function requiredChildren(c: RuleContext): void {
  const table = c.target;
  if (!table || c.subject.kind !== "change" || !table.key) return;
  const head = singular(table.entity.split(" ").at(-1) ?? table.entity);
  for (const { sentence, source } of c.sentences()) {
    for (const m of sentence.toLowerCase().matchAll(AT_LEAST_ONE)) {
      // The subject, when said, is the tool's record ("the event must have …").
      if (m[1] !== undefined && singular(m[1].split(" ").at(-1) ?? "") !== head) continue;
      const child = tableNamed(c, (m[2] ?? m[3]) as string);
      const link = child?.fields.find((f) => f.references === table.name);
      if (!child || child === table || !link) continue;
      c.require(
        {
          kind: "compare",
          condition: {
            left: {
              kind: "aggregate",
              op: "count",
              table: child.name,
              where: [{ field: link.name, value: { kind: "read", place: { hops: [], path: [table.key] } } }],
            },
            op: ">=",
            right: { kind: "constant", value: 1 },
          },
        },
        source,
        `a ${table.entity} with no ${child.entity} is refused (${sentence.trim()})`,
      );
    }
  }
}
