// Numbers a record's list moves on records found by two references, as API references state a
// transfer: "For every line item, available at the origin decreases by the quantity … and incoming
// at the destination increases by the quantity; both levels' updated_at become today." Each line
// names an item, the record names the place ("the origin": its `origin_location_id`), and the
// record moved is the one of a table that refers to both (the item's stock level there). With
// "each change to `available` appends an entry …", every move of that number records its own
// entry, in line order, from the line and the record. Without this a shipped transfer leaves every
// stock level as it was.
import type { Field, Table } from "../../lib/contracts/domain-schema.ts";
import type { Effect, RuleSource, ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { nameWords } from "../../lib/data-pack/places.ts";
import { singular } from "../../lib/domain-model/words.ts";
import { here, nowFor, type RuleContext } from "./context.ts";

const FOR_EACH = /^(?:for|on)\s+(?:every|each)\s+([a-z][a-z_ ]*?)\s*,\s*(.+)$/;
const VERB = "decreases|increases|goes down|goes up|is decremented|is incremented|is reduced|is increased|is lowered|is raised|drops|rises";
const MOVE = new RegExp(
  `^(?:the\\s+)?([a-z][a-z0-9_]*)(?:\\s+at\\s+the\\s+([a-z][a-z_ ]*?))?\\s+(${VERB})\\s+by\\s+(?:the\\s+|its\\s+)?(?:line's\\s+|element's\\s+)?([a-z][a-z_ ]*?)$`,
);
/** Where one move's clause ends and the next begins: "… by the quantity and incoming at the destination increases …". */
const NEXT_MOVE = new RegExp(`;\\s*|\\s+and\\s+(?=(?:the\\s+)?[a-z_]+\\s+(?:at\\s+the\\s+[a-z_ ]+?\\s+)?(?:${VERB})\\b)`);
const STAMP = /^(?:both|the|each|every|all)\s+(?:the\s+)?([a-z][a-z_ ]*?)(?:'s|s'|s's)\s+`?([a-z][a-z0-9_]*)`?\s+becomes?\s+(today|now)$/;
const CHANGE_TO = /\b(?:each|every)\s+change\s+to\s+`?([a-z][a-z0-9_]*)`?/;
const SIZE = /(^|_)(delta|change|amount|quantity|diff|difference)$/;
const AFTER = /_after/;

const words = (text: string) => nameWords(text.replace(/'s\b/g, " ")).map(singular);
const same = (a: readonly string[], b: readonly string[]) => a.join(" ") === b.join(" ");

type Move = { field: Field; table: Table; role: Field; amount: Field; sign: 1 | -1; given: Record<string, string> };

/** The moves every line of a list of the tool's record makes, with their stamps and history entries. */
export function listedMoves(c: RuleContext): void {
  const target = c.target;
  if (!target || c.subject.kind !== "change") return;
  for (const { written, source } of c.sentences("description")) {
    const text = written.replace(/`/g, "").toLowerCase().replace(/\.$/, "");
    const m = FOR_EACH.exec(text);
    if (!m) continue;
    const noun = words(m[1] as string);
    const list = target.fields.find((f) => f.type === "array" && f.items?.fields && same(words(f.name), noun));
    const elements = list?.items?.fields;
    if (!list || !elements) continue;
    const moves: Move[] = [];
    const stamps: { noun: string[]; field: string; now: boolean }[] = [];
    let role: Field | undefined;
    for (const part of (m[2] as string).split(NEXT_MOVE)) {
      // "(history entry with reason movement_created …)": values of the entry this move records.
      const given = Object.fromEntries([...part.matchAll(/\bwith\s+([a-z_]+)\s+([a-z]+(?:_[a-z]+)*)\b/g)].map((g) => [g[1], g[2]]));
      const clause = part.replace(/\s*\([^)]*\)/g, "").trim();
      const stamp = STAMP.exec(clause);
      if (stamp) {
        stamps.push({ noun: words(stamp[1] as string), field: stamp[2] as string, now: stamp[3] === "now" });
        continue;
      }
      const mv = MOVE.exec(clause);
      if (!mv) continue;
      // A move that names no place is at the one the clause before named ("and available increases by …").
      if (mv[2]) role = roleField(target, words(mv[2]));
      const amount = elements.find((f) => same(words(f.name), words(mv[4] as string)));
      if (!role || !amount) continue;
      const moved = movedTable(c, target, role, elements, mv[1] as string);
      if (!moved) continue;
      moves.push({ ...moved, role, amount, sign: /decrea|down|decrement|reduc|lower|drop/.test(mv[3] as string) ? -1 : 1, given });
    }
    if (moves.length === 0) continue;
    const entry = historyEntry(c);
    for (const move of moves) {
      const link = elements.find((f) => f.references && move.table.fields.some((g) => g.references === f.references));
      const toRole = move.table.fields.find((g) => g.references === move.role.references) as Field;
      const toLine = link ? (move.table.fields.find((g) => g.references === link.references) as Field) : undefined;
      if (!link || !toLine) continue;
      const amount: ValueExpr = { kind: "item", path: [move.amount.name] };
      const set: Record<string, ValueExpr> = {};
      for (const s of stamps) {
        const stamped = move.table.fields.find((f) => f.name === s.field);
        if (stamped && words(move.table.entity).at(-1) === s.noun.at(-1)) set[stamped.name] = s.now ? nowFor(stamped) : { kind: "today" };
      }
      const rule: Effect = {
        kind: "add-each",
        place: here([list.name]),
        matching: {
          table: move.table.name,
          where: [
            { field: toLine.name, value: { kind: "item", path: [link.name] } },
            { field: toRole.name, value: { kind: "read", place: here([move.role.name]) } },
          ],
        },
        path: [move.field.name],
        amount,
        sign: move.sign,
        ...(Object.keys(set).length > 0 ? { set } : {}),
        ...(move.sign < 0 && neverBelowZero(c, move.field.name) ? { atLeast: 0 } : {}),
        ...(entry && entry.field === move.field.name ? { entry: entryFor(c, entry, move, { link, toLine, toRole }, amount) } : {}),
      };
      c.effect(rule, source as RuleSource, written);
      if (entry && entry.field === move.field.name) entry.used = true;
    }
    // The one entry the history sentence made alone stands for these: it goes.
    if (entry?.used) c.inserts.splice(c.inserts.indexOf(entry.insert), 1);
  }
}

/** The reference field of the record a place word names ("origin" → `origin_location_id`). */
function roleField(target: Table, said: readonly string[]): Field | undefined {
  return target.fields.find((f) => f.references && said.every((w) => words(f.name).includes(w)));
}

/** The table whose number the clause names and that refers both to the place and to what a line names. */
function movedTable(
  c: RuleContext,
  target: Table,
  role: Field,
  elements: readonly Field[],
  name: string,
): { table: Table; field: Field } | null {
  const found: { table: Table; field: Field }[] = [];
  for (const table of c.tables.values()) {
    if (table === target || table.storage === "single") continue;
    const field = table.fields.find((f) => f.name === name && (f.type === "number" || f.type === "integer"));
    if (!field || !table.fields.some((f) => f.references === role.references)) continue;
    if (!elements.some((e) => e.references && e.references !== role.references && table.fields.some((f) => f.references === e.references)))
      continue;
    found.push({ table, field });
  }
  return found.length === 1 ? (found[0] as { table: Table; field: Field }) : null;
}

type Entry = { field: string; insert: RuleContext["inserts"][number]; used?: boolean };

/** The entry the description makes for "each change to `available`", as the clause reading made it once. */
function historyEntry(c: RuleContext): Entry | null {
  for (const insert of c.inserts) {
    if (insert.rule.kind !== "insert" || insert.rule.each) continue;
    const m = CHANGE_TO.exec(insert.text.replace(/`/g, "").toLowerCase());
    if (m) return { field: m[1] as string, insert };
  }
  return null;
}

/** The entry of one move: the line's reference, the place's, the size with its sign, the number after, the values its clause gives. */
function entryFor(
  c: RuleContext,
  entry: Entry,
  move: Move,
  links: { link: Field; toLine: Field; toRole: Field },
  amount: ValueExpr,
): NonNullable<Extract<Effect, { kind: "add-each" }>["entry"]> {
  const insert = entry.insert.rule as Extract<Effect, { kind: "insert" }>;
  const table = c.tables.get(insert.table) as Table;
  const fields: Record<string, ValueExpr> = {};
  let after: string | undefined;
  for (const f of table.fields) {
    const made = insert.fields[f.name];
    if (f.name === table.key && made) fields[f.name] = made;
    else if (move.given[f.name] !== undefined) fields[f.name] = { kind: "constant", value: move.given[f.name] };
    else if (f.name === links.toLine.name) fields[f.name] = { kind: "item", path: [links.link.name] };
    else if (f.name === links.toRole.name) fields[f.name] = { kind: "read", place: here([move.role.name]) };
    else if (AFTER.test(f.name) && (f.type === "number" || f.type === "integer")) after = f.name;
    else if (SIZE.test(f.name) && (f.type === "number" || f.type === "integer"))
      fields[f.name] = move.sign < 0 ? { kind: "arith", op: "-", left: { kind: "constant", value: 0 }, right: amount } : amount;
    // A value read through another record would be looked up inside the loop over the lines and
    // reused after it: the entry takes only what the call, its own record, the line and the clock give.
    else if (made && inLoop(made)) fields[f.name] = made;
  }
  return { table: insert.table, key: insert.key, fields, ...(after ? { after } : {}) };
}

/**
 * Whether the texts keep a number from going negative: "available may never go below 0", "refused
 * if the origin has fewer available units than a line's quantity".
 */
function neverBelowZero(c: RuleContext, field: string): boolean {
  const name = field.replace(/_/g, "[ _]");
  const floor = new RegExp(
    `\\b${name}\\b[^.;]*?\\b(?:may|can|must|should)\\s+never\\s+(?:go|fall|drop)\\s+below\\s+(?:0|zero)\\b|\\b${name}\\b[^.;]*?\\b(?:may|can|must)\\s*not\\s+(?:go|fall|drop)\\s+below\\s+(?:0|zero)\\b|\\bfewer\\s+${name}\\b`,
  );
  return c.sentences().some(({ written }) => floor.test(written.replace(/`/g, "").toLowerCase()));
}

/** Whether a value can be computed per line: no record reached through a reference or a root. */
function inLoop(value: ValueExpr): boolean {
  const text = JSON.stringify(value);
  return !/"hops":\[\{/.test(text) && !/"root":/.test(text);
}
