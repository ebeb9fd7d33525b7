// A flag that moves from one record to another: "the previously active device gets is_active false,
// the target gets is_active true and player.device_id is set to it". Services that keep one record
// of many marked (the active device, the default card, the primary address) say so by naming the
// record that loses the mark ("the previous(ly) …"), the one that gains it ("the target", "the given
// …") and, often, the pointer that names the marked one. The record that loses the mark is the one
// the pointer named before the call; the one that gains it, the record the call's parameter names.
// A tool that says it moves the mark "as in <another tool>" does what that tool's words say, on the
// record its own parameter names, on the calls that give it.
import type { Field, Table } from "../../lib/contracts/domain-schema.ts";
import type { Condition, Place, RuleSource, ValueExpr } from "../../lib/contracts/tool-rules.ts";
import type { ToolSpec } from "../../lib/contracts/tool-spec.ts";
import { nameWords } from "../../lib/data-pack/places.ts";
import { singular } from "../../lib/domain-model/words.ts";
import { keyTable } from "../../lib/service-tools/subject.ts";
import { toolText } from "../../lib/service-tools/tool-text.ts";
import { tableNamed } from "./clauses.ts";
import type { RuleContext } from "./context.ts";

const ROLE_BEFORE = "(?:previously|previous|formerly|former|old|prior)";
const ROLE_AFTER = "(?:target|given|new|named|chosen|selected)";
const GETS = "(?:gets|get|has|becomes|is set to|is marked)";
const TO = String.raw`(?:set\s+to\s+|to\s+|=\s*)?`;

/** "the previously active device gets is_active false": the noun and the flag that is cleared. */
const LOSES = new RegExp(String.raw`\bthe\s+${ROLE_BEFORE}\s+(?:(\w+)\s+)?(\w+)\s+${GETS}\s+(?:its\s+)?([a-z][a-z0-9_]*)\s+${TO}false\b`);
/** "the previous default card is no longer default": the flag named by its word. */
const NO_LONGER = new RegExp(String.raw`\bthe\s+${ROLE_BEFORE}\s+(?:(\w+)\s+)?(\w+)\s+is\s+no\s+longer\s+(?:the\s+)?(\w+)`);
/** "the target gets is_active true", "the given card becomes is_default true". */
const GAINS = new RegExp(String.raw`\bthe\s+${ROLE_AFTER}(?:\s+(\w+))?\s+${GETS}\s+(?:its\s+)?([a-z][a-z0-9_]*)\s+${TO}true\b`);
/** "player.device_id is set to it": the pointer that names the marked record. */
const POINTER = new RegExp(
  String.raw`\b(?:([a-z][a-z0-9_]*)\.)?([a-z][a-z0-9_]*)\s+(?:is\s+set\s+to|becomes|points\s+to)\s+(?:it|the\s+${ROLE_AFTER}(?:\s+\w+)?)\b`,
);
/** "playback moves there as in transfer_playback": another tool's words, on this call's record. */
const AS_IN = /\bas\s+(?:in|with|for|by)\s+([a-z][a-z0-9_]*)\b|\bas\s+([a-z][a-z0-9_]*)\s+does\b/;

interface Move {
  table: Table;
  flag: Field;
  /** The single record (or the tool's own) holding the field that names the marked record. */
  pointer: { table: Table; field: Field } | null;
  sentence: string;
}

/** Effects for a mark that moves between records, as the tool's words (or another tool's they point to) say. */
export function movingFlag(c: RuleContext, siblings: readonly ToolSpec[]): void {
  if (c.subject.kind !== "change") return;
  for (const { sentence, source } of c.sentences("description")) {
    const move = moveIn(c, sentence);
    if (move) {
      const target = targetOf(c, move.table);
      if (target) apply(c, move, target.value, target.when, source, sentence);
      continue;
    }
    // "… playback moves there as in transfer_playback": that tool's move, on the record this call names.
    const other = AS_IN.exec(sentence);
    const name = other?.[1] ?? other?.[2];
    const sibling = name ? siblings.find((s) => s.name === name && s.name !== c.text.name) : undefined;
    if (!sibling) continue;
    for (const said of toolText(sibling, []).sentences) {
      const moved = moveIn(c, said);
      if (!moved) continue;
      const target = targetOf(c, moved.table);
      if (target) apply(c, moved, target.value, target.when, source, `${sentence} (${sibling.name}: ${said})`);
    }
  }
}

/** The mark a sentence moves: the table and flag field, and the pointer when one is named. */
function moveIn(c: RuleContext, sentence: string): Move | null {
  const loses = LOSES.exec(sentence) ?? NO_LONGER.exec(sentence);
  const gains = GAINS.exec(sentence);
  if (!loses || !gains) return null;
  const table = tableNamed(c, loses[2] as string);
  if (!table) return null;
  const flagWord = loses[3] as string;
  const flag =
    table.fields.find((f) => f.type === "boolean" && f.name === flagWord) ??
    table.fields.find((f) => f.type === "boolean" && nameWords(f.name).includes(flagWord));
  // The same flag gained as lost: the one mark moves.
  if (!flag || (gains[2] !== flag.name && !nameWords(flag.name).includes(gains[2] as string))) return null;
  if (gains[1] && !["it", "one"].includes(gains[1]) && singular(gains[1]) !== singular(loses[2] as string)) return null;
  return { table, flag, pointer: pointerIn(c, sentence, table), sentence };
}

/** "player.device_id is set to it": a field referring to `table`, of a single record or of the tool's own. */
function pointerIn(c: RuleContext, sentence: string, table: Table): Move["pointer"] {
  const m = POINTER.exec(sentence);
  if (!m) return null;
  const owners = [...c.tables.values()].filter((t) =>
    m[1] ? t.name === m[1] || singular(t.name) === singular(m[1]) || t.entity === m[1] : t === c.target || t.storage === "single",
  );
  for (const owner of owners) {
    const field = owner.fields.find((f) => f.name === m[2] && f.references === table.name);
    if (field && (owner.storage === "single" || owner === c.target)) return { table: owner, field };
  }
  return null;
}

/**
 * The record the call marks: the one its parameter names (a key of the table, or the one element of
 * an array of them that holds exactly one); on the calls that give it when it is optional.
 */
function targetOf(c: RuleContext, table: Table): { value: ValueExpr; when: Condition[] } | null {
  const tables = [...c.tables.values()];
  for (const p of c.text.parameters) {
    const given: Condition[] = p.required ? [] : [{ left: { kind: "parameter", name: p.name }, op: "given" }];
    if (p.type !== "array" && keyTable(p, tables) === table) return { value: { kind: "parameter", name: p.name }, when: given };
    if (p.type === "array" && keyTable({ name: p.name.replace(/_ids$/, "_id").replace(/s$/, ""), type: "string" }, tables) === table) {
      const schema = (c.text.spec.parameters as { properties?: Record<string, { maxItems?: number }> } | undefined)?.properties?.[p.name];
      if (schema?.maxItems === 1) return { value: { kind: "parameter", name: p.name, path: ["0"] }, when: given };
    }
  }
  return null;
}

/** The record that had the mark loses it, the named one gains it, the pointer names it; in that order. */
function apply(c: RuleContext, move: Move, target: ValueExpr, given: Condition[], source: RuleSource, text: string): void {
  const { table, flag, pointer } = move;
  if (!pointer) return;
  const pointerPlace: Place =
    pointer.table === c.target
      ? { hops: [], path: [pointer.field.name] }
      : { hops: [], path: [pointer.field.name], root: { table: pointer.table.name } };
  const before: ValueExpr = { kind: "read", place: pointerPlace };
  // A pointer that names nothing yet: nothing loses the mark.
  c.effect(
    {
      kind: "set",
      place: { hops: [], path: [flag.name], root: { table: table.name, key: before } },
      value: { kind: "constant", value: false },
    },
    source,
    text,
    [...given, { left: before, op: "given" }],
  );
  c.effect(
    {
      kind: "set",
      place: { hops: [], path: [flag.name], root: { table: table.name, key: target } },
      value: { kind: "constant", value: true },
    },
    source,
    text,
    given,
  );
  if (!c.writes(pointerPlace)) c.effect({ kind: "set", place: pointerPlace, value: target }, source, text, given);
  // The parameter the pointer is set to is its new value, not an owner the record must already have.
  const owned = JSON.stringify({ left: { kind: "read", place: pointerPlace }, op: "==", right: target });
  const check = c.requires.findIndex((r) => r.rule.kind === "compare" && JSON.stringify(r.rule.condition) === owned);
  if (check >= 0) c.requires.splice(check, 1);
}
