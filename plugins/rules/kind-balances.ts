// Balances an entry moves by its kind: a ledger tool whose description gives each value of a kind
// parameter its own clause ('kind "used": … deducts the request's amount from the balance of its
// type', 'kind "override": sets the member's balance of `kind` to exactly `amount`'). The balance
// is the entry of a map of numbers (`balances`) on a record a parameter names, under a value the
// call gives (a parameter written out) or a value of another record the call names (the request's
// type); each move holds only on calls that give that kind. Another service says it as `type
// "credit": adds …` or `operation "reset": sets …`: the value opening its part of the sentence is
// what the part is conditioned on.
import type { Field, Table } from "../../lib/contracts/domain-schema.ts";
import type { Row } from "../../lib/contracts/domain-state.ts";
import type { Condition, Place, ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { nameWords } from "../../lib/data-pack/places.ts";
import { keyTable } from "../../lib/service-tools/subject.ts";
import type { Parameter } from "../../lib/service-tools/tool-text.ts";
import type { RuleContext } from "./context.ts";

const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** "sets the member's balance of `kind` to exactly `amount`" */
const SET = /\bsets\s+(.+?)\s+to\s+(?:exactly\s+)?(.+)$/;
/** "deducts the request's amount from the balance of its type", "adds `amount` to the member's balance of `kind`" */
const MOVE = /\b(deducts|subtracts|removes|takes|adds|credits|restores|gives\s+back|returns)\s+(.+?)\s+(?:back\s+)?(from|to)\s+(.+)$/;

/** A record the call names by a parameter (`request_id` → requests), with that parameter. */
interface Named {
  parameter: Parameter;
  table: Table;
}

export function kindBalances(c: RuleContext): void {
  if (c.subject.kind !== "create" && c.subject.kind !== "change") return;
  const kinds = c.text.parameters.filter((p) => p.enum && p.enum.length >= 2 && p.type === "string");
  if (kinds.length === 0) return;
  const tables = [...c.tables.values()];
  const named: Named[] = c.text.parameters.flatMap((p) => {
    const table = keyTable(p, tables);
    return table ? [{ parameter: p, table }] : [];
  });
  for (const { written, source } of c.sentences("description")) {
    for (const part of kindParts(written.replaceAll("`", ""), kinds)) {
      const when: Condition[] = [
        { left: { kind: "parameter", name: part.parameter.name }, op: "==", right: { kind: "constant", value: part.value } },
      ];
      for (const piece of part.text.split(/;|\s+[—–-]\s+|\(|\)/)) {
        const text = piece.trim().toLowerCase();
        const set = SET.exec(text);
        if (set) {
          const balance = balanceNamed(c, named, set[1] as string, part.text.toLowerCase());
          const value = valueNamed(c, named, set[2] as string);
          if (balance && value) {
            dropMisread(c, value, source);
            c.effect({ kind: "set", place: balance, value }, source, written, when);
          }
          continue;
        }
        const move = MOVE.exec(text);
        if (!move) continue;
        const balance = balanceNamed(c, named, move[4] as string, part.text.toLowerCase());
        const amount = valueNamed(c, named, move[2] as string);
        if (!balance || !amount) continue;
        const sign = /deducts|subtracts|removes|takes/.test(move[1] as string) ? -1 : 1;
        c.effect({ kind: "add", place: balance, amount, sign }, source, written, when);
      }
    }
  }
}

/**
 * The parts of a sentence each opened by a value of a kind parameter (`event_type "used": …`, or
 * `"used": …` when one parameter alone lists it), up to the next such opening.
 */
function kindParts(sentence: string, kinds: readonly Parameter[]): { parameter: Parameter; value: string; text: string }[] {
  const openings: { parameter: Parameter; value: string; at: number; end: number }[] = [];
  for (const p of kinds)
    for (const raw of p.enum ?? []) {
      const value = String(raw);
      const pattern = new RegExp(`(?:\\b${literal(p.name)}\\s+)?["“']${literal(value)}["”']\\s*:\\s`, "g");
      for (const m of sentence.matchAll(pattern)) {
        const owners = kinds.filter((k) => k.enum?.some((v) => String(v) === value));
        if (owners.length > 1 && !m[0].startsWith(p.name)) continue;
        openings.push({ parameter: p, value, at: m.index ?? 0, end: (m.index ?? 0) + m[0].length });
      }
    }
  openings.sort((a, b) => a.at - b.at);
  return openings.map((o, i) => ({
    parameter: o.parameter,
    value: o.value,
    text: sentence.slice(o.end, openings[i + 1]?.at ?? sentence.length),
  }));
}

/**
 * "the member's balance of kind", "the balance of its type": the entry of a map of numbers whose name
 * has the phrase's words, on the record a parameter names (the one the owner's word names, else the
 * one whose name is the table's own), under a parameter written out, or under the field of another
 * record the part names whose values the data files the map under.
 */
function balanceNamed(c: RuleContext, named: readonly Named[], phrase: string, part: string): Place | null {
  const [head, rest] = phrase.split(/\s+(?:of|for)\s+/, 2) as [string, string | undefined];
  const words = nameWords(head.replace(/'s\b/g, " ")).map((w) => w.replace(/s$/, ""));
  for (const holder of named) {
    const map = holder.table.fields.find(
      (f) =>
        f.type === "object" &&
        nameWords(f.name).some((w) => w.length > 3 && words.includes(w.replace(/s$/, ""))) &&
        numbers(c, holder.table, f),
    );
    if (!map) continue;
    // Of the parameters naming the holder's table, the one the owner's word names ("the employee's"), else its plain key.
    const owner = /^(?:the\s+)?(\w+)'s\b/.exec(head)?.[1];
    const choices = named.filter((n) => n.table === holder.table);
    const plain = (n: Named) =>
      nameWords(n.parameter.name)
        .filter((w) => w !== "id")
        .join("_") === holder.table.entity.replaceAll(" ", "_");
    const chosen =
      choices.find(
        (n) =>
          owner !== undefined &&
          nameWords(n.parameter.name)
            .filter((w) => w !== "id")
            .join(" ") === owner,
      ) ??
      choices.find(plain) ??
      (choices.length === 1 ? choices[0] : undefined);
    if (!chosen || chosen !== holder) continue;
    const keys = new Set(
      c
        .records(holder.table)
        .map((r) => r[map.name])
        .filter((v): v is Row => Boolean(v) && typeof v === "object")
        .flatMap((m) => Object.keys(m)),
    );
    const key = keyOf(c, named, rest ?? "", part, keys, holder);
    if (!key) continue;
    return { hops: [], path: [map.name], root: { table: holder.table.name, key: { kind: "parameter", name: holder.parameter.name } }, key };
  }
  return null;
}

/** Whether every record's value of the field is a map of numbers. */
function numbers(c: RuleContext, table: Table, field: Field): boolean {
  const maps = c
    .records(table)
    .map((r) => r[field.name])
    .filter((v): v is Row => Boolean(v) && typeof v === "object");
  return maps.length > 0 && maps.every((m) => Object.values(m).every((v) => typeof v === "number"));
}

/** The entry's key: a parameter written out (`kind`), or the field of another named record whose values are the map's keys ("its type"). */
function keyOf(
  c: RuleContext,
  named: readonly Named[],
  phrase: string,
  part: string,
  keys: ReadonlySet<string>,
  holder: Named,
): ValueExpr | null {
  // "its category", "that type": the other record's, even where a parameter has the word for a name.
  const its = /^(?:its|their|that|this)\s/.test(phrase.trim());
  const written = its
    ? undefined
    : c.text.parameters.find((p) => p.type === "string" && new RegExp(`(^|[^a-z_])${literal(p.name)}($|[^a-z_])`).test(phrase));
  if (written) return { kind: "parameter", name: written.name };
  if (!phrase) return null;
  for (const other of named) {
    if (other.table === holder.table || !new RegExp(`\\b${literal(other.table.entity.split(" ").at(-1) as string)}\\b`).test(part))
      continue;
    const records = c.records(other.table);
    const field = other.table.fields.find((f) => {
      if (f.type !== "string") return false;
      const values = records.map((r) => r[f.name]).filter((v): v is string => typeof v === "string");
      return values.length > 0 && values.filter((v) => keys.has(v)).length / values.length >= 0.9;
    });
    if (field)
      return { kind: "lookup", table: other.table.name, key: { kind: "parameter", name: other.parameter.name }, path: [field.name] };
  }
  return null;
}

/** "`amount`" (a parameter written out), or "the request's amount" (a number, or a money object's, of a record the call names). */
function valueNamed(c: RuleContext, named: readonly Named[], phrase: string): ValueExpr | null {
  const text = phrase.trim().replace(/[.,]+$/, "");
  const param = c.text.parameters.find(
    (p) => (p.type === "number" || p.type === "integer") && new RegExp(`^(?:the\\s+)?${literal(p.name)}$`).test(text),
  );
  if (param) return { kind: "parameter", name: param.name };
  const owned = /^(?:the\s+)?(.+?)'s\s+(\w+)$/.exec(text);
  if (!owned) return null;
  const record = named.find((n) => n.table.entity === owned[1] || n.table.entity.endsWith(` ${owned[1]}`));
  const field = record?.table.fields.find((f) => f.name === owned[2]);
  if (!record || !field) return null;
  const path =
    field.type === "number" || field.type === "integer"
      ? [field.name]
      : field.type === "object" && field.fields?.some((f) => f.name === "amount" && (f.type === "number" || f.type === "integer"))
        ? [field.name, "amount"]
        : null;
  return path ? { kind: "lookup", table: record.table.name, key: { kind: "parameter", name: record.parameter.name }, path } : null;
}

/** A clause read as setting a field of the tool's own record to the value ("sets the balance of kind to amount" → its `kind`): the balance is what it sets. */
function dropMisread(c: RuleContext, value: ValueExpr, source: string): void {
  const at = c.effects.findIndex(
    (r) =>
      r.source === source &&
      r.rule.kind === "set" &&
      !r.rule.place.root &&
      r.rule.place.hops.length === 0 &&
      JSON.stringify(r.rule.value) === JSON.stringify(value),
  );
  if (at >= 0) c.effects.splice(at, 1);
}
