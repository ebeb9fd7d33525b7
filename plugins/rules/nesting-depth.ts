// Records nested one level only: "Comments go one level deep only: a reply cannot have its own
// replies", "a sub-folder cannot hold sub-folders of its own". Where
// a record names its parent among records of its own table (`parent`, `parent_id`), a call that
// places a record under a parent is refused when that parent has a parent itself.
import type { Field } from "../../lib/contracts/domain-schema.ts";
import type { RuleContext } from "./context.ts";

const SAID = [
  /\bone level deep\b/i,
  /\bcannot have (?:its|their) own sub[- ]?\w+/i,
  /\bsub[- ]?\w+ cannot (?:have|hold|contain) (?:its|their) own\b/i,
  /\b(?:cannot|can't|may not) be nested (?:more than|deeper than) one level\b/i,
];

/** Whether the sentence speaks of the table's records ("sub-folders" of folders, "comments" of comments): its entity's last word, alone or after "sub". */
function namesEntity(sentence: string, entity: string): boolean {
  const word = entity.split(" ").at(-1) ?? entity;
  return new RegExp(`\\b(?:sub[- ]?)?${word}(?:e?s)?\\b`, "i").test(sentence);
}

export function nestingDepth(c: RuleContext, policy: readonly string[]): void {
  const table = c.target;
  if (!table || (c.subject.kind !== "create" && c.subject.kind !== "change")) return;
  const said = [
    ...c.sentences("description").map(({ sentence, source }) => ({ sentence, source })),
    ...policy.map((sentence) => ({ sentence, source: "policy" as const })),
  ].find(({ sentence }) => SAID.some((re) => re.test(sentence)) && namesEntity(sentence, table.entity));
  if (!said) return;
  // The record's parent among its own kind, and the argument that gives it.
  const parent = table.fields.find((f: Field) => f.references === table.name && f.type !== "array");
  const param = parent ? c.text.parameters.find((p) => p.name === parent.name) : undefined;
  if (!parent || !param || c.identifying.has(param.name)) return;
  c.requireWhen(
    {
      kind: "compare",
      condition: {
        left: {
          kind: "read",
          place: { hops: [], path: [parent.name], root: { table: table.name, key: { kind: "parameter", name: param.name } } },
        },
        op: "absent",
      },
    },
    [{ left: { kind: "parameter", name: param.name }, op: "given" }],
    said.source,
    `the ${table.entity} the argument ${param.name} names must have no ${parent.name} of its own: ${said.sentence.trim()}`,
  );
}
