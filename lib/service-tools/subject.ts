// What a service tool is about: stateless utility, a read (find a key, get a record, list records)
// or a write (change a record, create one), and the table of the record it acts on — from its
// verb, the keys it is given and the table its name speaks of.
import type { Table } from "../contracts/domain-schema.ts";
import type { ServiceModel } from "../contracts/tool-rules.ts";
import type { ToolSpec } from "../contracts/tool-spec.ts";
import { leaves, nameWords, overlap } from "../data-pack/places.ts";
import { singular } from "../domain-model/words.ts";
import type { Parameter, ToolText } from "./tool-text.ts";

const READ_VERBS = new Set("get fetch retrieve show view read describe list search find lookup look query browse count".split(" "));
const FIND_VERBS = new Set("find lookup look identify get search resolve".split(" "));
const CREATE_VERBS = new Set(
  "create add book place register open schedule make submit new insert issue file reserve request enroll start log".split(" "),
);

export interface Subject {
  kind: ServiceModel["kind"];
  utility?: NonNullable<ServiceModel["utility"]>;
  table: Table | null;
  keyParameter?: string;
}

/** Whether a parameter holds the key of `table` (`loan_id` for loans). */
export function isKeyOf(parameter: Pick<Parameter, "name">, table: Table): boolean {
  const name = parameter.name.toLowerCase();
  return name === table.key.toLowerCase() || name === `${table.entity.replaceAll(" ", "_")}_id`;
}

/** The table a tool's name speaks of: the one whose entity (or plural name) is among its words, the last such word winning. */
export function namedTable(text: ToolText, tables: readonly Table[]): Table | null {
  const words = text.words.slice(1).map(singular);
  let best: { table: Table; at: number } | null = null;
  for (const table of tables) {
    const entity = nameWords(table.entity.replaceAll(" ", "_"));
    const at = words.findIndex((_, i) => entity.every((w, j) => words[i + j] === w));
    if (at >= 0 && (!best || at > best.at || (at === best.at && entity.length > nameWords(best.table.entity).length))) best = { table, at };
  }
  return best?.table ?? null;
}

export function subjectOf(text: ToolText, tables: readonly Table[]): Subject {
  const utility = utilityOf(text);
  if (utility) return { kind: "utility", utility, table: null };
  const keyed = tables.flatMap((table) =>
    text.parameters.filter((p) => p.type !== "array" && isKeyOf(p, table)).map((p) => ({ table, parameter: p.name })),
  );
  const named = namedTable(text, tables);
  const verb = text.verb === "check" && ["in", "out"].includes(text.words[1] ?? "") ? "check_in" : text.verb;
  const reads = READ_VERBS.has(verb);
  // find_member_id_by_email: the key of a record, found by its fields.
  // lookup_customer_by_email, "Look up a customer's id by…": the same, said in the description.
  const saysId = text.words.includes("id") || /\b(id|identifier)\b/.test(text.sentences[0] ?? "");
  if (FIND_VERBS.has(verb) && saysId && named && !keyed.some((k) => k.table === named)) return { kind: "find", table: named };
  // change_line_plan(line_id, plan_id): of two keyed records, the one that refers to the other is
  // what changes (the line's plan), the other is the value it gets.
  const holder = keyed.filter((a) => keyed.some((b) => b !== a && a.table.fields.some((f) => f.references === b.table.name)));
  const target =
    (!reads && holder.length === 1 ? holder[0] : undefined) ??
    keyed.find((k) => k.table === named) ??
    (keyed.length === 1 || !named ? keyed[0] : undefined);
  if (reads) {
    if (target && text.parameters.filter((p) => p.required).length <= 1)
      return { kind: "get", table: target.table, keyParameter: target.parameter };
    return { kind: "list", table: named ?? target?.table ?? guessTable(text, tables) };
  }
  if (CREATE_VERBS.has(verb) && named && !keyed.some((k) => k.table === named)) return { kind: "create", table: named };
  if (target) return { kind: "change", table: target.table, keyParameter: target.parameter };
  if (named) return { kind: "create", table: named };
  return { kind: "utility", utility: "think", table: null };
}

/** Calculators, scratchpads and hand-offs to people: tools that touch no data. */
export function utilityOf(text: ToolText): Subject["utility"] | null {
  const { verb, words, parameters } = text;
  const strings = parameters.filter((p) => p.type === "string");
  if (["calculate", "compute", "evaluate", "calc"].includes(verb) && strings.length === 1 && parameters.length === 1) return "calculate";
  if (verb === "think" || (words.length === 1 && words[0] === "think")) return "think";
  if (
    ["transfer", "escalate", "handoff", "hand", "forward"].includes(verb) &&
    words.some((w) => ["human", "agent", "agents", "to", "person", "staff", "desk", "support", "librarian"].includes(w)) &&
    parameters.every((p) => p.type === "string" && !/(_id|amount)$/.test(p.name))
  )
    return "handoff";
  return null;
}

/** A table for a list tool that names none: the one whose fields its parameters match best. */
function guessTable(text: ToolText, tables: readonly Table[]): Table | null {
  let best: { table: Table; score: number } | null = null;
  for (const table of tables) {
    const paths = leaves(table.fields);
    const score = text.parameters.filter((p) => paths.some((l) => overlap(p.name, l.path.at(-1) as string) >= 1)).length;
    if (score > 0 && (!best || score > best.score)) best = { table, score };
  }
  return best?.table ?? tables[0] ?? null;
}

/** What a tool of this subject answers: a find the key it found, a list its records (or a name → key mapping), the others a record. */
export function returnsOf(subject: Subject, spec: ToolSpec): ServiceModel["returns"] {
  switch (subject.kind) {
    case "utility":
      return subject.utility === "calculate" ? "number" : subject.utility === "handoff" ? "message" : "nothing";
    case "find":
      return "key";
    case "list":
      return /\b(mapping|map|dict|dictionary)\b/i.test(spec.description) ? "mapping" : "records";
    default:
      return "record";
  }
}

/** A mapping's fields: the record's name-like field, then its key. */
export function mappingFields(table: Table): string[] {
  const name =
    table.fields.find((f) => /^(name|title|label)$/.test(f.name)) ?? table.fields.find((f) => f.type === "string" && f.name !== table.key);
  return [name?.name ?? table.key, table.key];
}
