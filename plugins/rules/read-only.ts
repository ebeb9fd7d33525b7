// Records a text calls read-only ("Read-only folders refuse any change", "shared boards that are
// read-only cannot be changed"), where the data marks them by an access field whose value says so
// (`permission: "viewer"`, `access: "read_only"`). A call that writes into such a record, or into
// a record of it (a document of a folder, a card of a board), is refused:
// the record the call's arguments name must not hold a read-only value.
import type { Table } from "../../lib/contracts/domain-schema.ts";
import type { Place } from "../../lib/contracts/tool-rules.ts";
import { singular } from "../../lib/domain-model/words.ts";
import type { RuleContext } from "./context.ts";

/** Values of an access field that grant reading only. */
const READ_ONLY_VALUE = /^(?:read|reader|readers|read[-_ ]?only|viewer|view[-_ ]?only|view)$/i;

/** "read-only folders refuse/cannot …", "folders that are read-only cannot …": the noun named read-only. */
const SAID = [
  /\bread[- ]only\s+([a-z][a-z ]*?)\s+(?:refuse|reject|cannot|can't|can not|may not|must not|are not|do not)\b/i,
  /\b([a-z][a-z ]*?)\s+(?:that|which)\s+(?:are|is)\s+read[- ]only\s+(?:refuse|reject|cannot|can't|can not|may not|must not)\b/i,
];

/** The table a noun names (its plural or its entity), of the last words of the phrase. */
function tableNamed(c: RuleContext, phrase: string): Table | null {
  const words = phrase.toLowerCase().trim().split(/\s+/);
  for (let n = Math.min(3, words.length); n >= 1; n--) {
    const noun = words.slice(-n).join(" ");
    const found = [...c.tables.values()].find(
      (t) => t.storage !== "single" && (t.name.toLowerCase().replaceAll("_", " ") === noun || t.entity === singular(noun)),
    );
    if (found) return found;
  }
  return null;
}

/** `policy`: all of the policy's sentences, since one that says a kind of record is read-only names no tool. */
export function readOnlyRefusals(c: RuleContext, policy: readonly string[]): void {
  if (c.subject.kind !== "change" && c.subject.kind !== "create") return;
  const said = [
    ...c.sentences("description").map(({ sentence, source }) => ({ sentence, source })),
    ...policy.map((sentence) => ({ sentence, source: "policy" as const })),
  ];
  for (const { sentence, source } of said) {
    const noun = SAID.map((re) => re.exec(sentence)?.[1]).find((m) => m !== undefined);
    const table = noun ? tableNamed(c, noun) : null;
    if (!table) continue;
    const records = c.records(table);
    for (const field of table.fields) {
      if (field.type !== "string") continue;
      const values = [...new Set(records.map((r) => r[field.name]).filter((v): v is string => typeof v === "string"))];
      const readOnly = values.filter((v) => READ_ONLY_VALUE.test(v));
      // An access field: a few values, some granting reading only, others more.
      if (readOnly.length === 0 || readOnly.length === values.length || values.length > 6) continue;
      const place = placeOf(c, table, field.name);
      if (!place) continue;
      c.require(
        { kind: "compare", condition: { left: { kind: "read", place }, op: "not-in", right: { kind: "constant", value: readOnly } } },
        source,
        `the ${table.entity}'s ${field.name} must not be ${readOnly.join(" or ")}: ${sentence.trim()}`,
      );
    }
  }
}

/** Where the call reaches the record: the tool's own, the one an argument names, or the one its record refers to. */
function placeOf(c: RuleContext, table: Table, field: string): Place | null {
  if (c.target === table && c.subject.kind === "change") return { hops: [], path: [field] };
  const named = c.requires.find((r) => r.rule.kind === "record-exists" && r.rule.table === table.name && !r.when);
  if (named?.rule.kind === "record-exists")
    return { hops: [], path: [field], root: { table: table.name, key: { kind: "parameter", name: named.rule.parameter } } };
  // Not a single record (a session) that merely names one: it does not lie in it.
  const within = c.subject.kind === "change" && c.target?.storage !== "single";
  const via = within ? c.target?.fields.find((f) => f.references === table.name) : undefined;
  return via ? { hops: [{ field: via.name, table: table.name }], path: [field] } : null;
}
