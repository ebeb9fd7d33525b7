// Numbers a record keeps of how many records of another table it has, in a given state: a club's
// `stats.active_count` is how many of its members are active, its `stats.total` how many are not
// gone; a single record of settings keeps how many there are in all (`total_active`). The data shows
// it: in every record the number equals that count. The service keeps it so; a call that makes such a
// record, or changes its state, counts again, from the records as the call leaves them.
import type { Table } from "../../lib/contracts/domain-schema.ts";
import type { Row } from "../../lib/contracts/domain-state.ts";
import type { Effect, Place, ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { leaves, nameWords } from "../../lib/data-pack/places.ts";
import { valueIn } from "../../lib/domain-model/service-arguments.ts";
import { singular } from "../../lib/domain-model/words.ts";
import type { RuleContext } from "./context.ts";

/** Which records a count takes: those whose `field` equals `value` (with `not`, differs from it). */
interface Filter {
  field: string;
  value: string;
  not: boolean;
}

/** A count the data keeps: `path` of each `holder` record is how many `of` records (naming it by `link`) pass `filter`. */
export interface KeptCount {
  holder: Table;
  path: string[];
  of: Table;
  /** The field of `of` naming the holder; none when the holder is a collection's one record (a count of them all). */
  link?: string;
  filter: Filter | null;
}

const COUNTING = new Set(["count", "counts", "total", "number", "num", "size", "tally"]);
/** At least this many holders must show the count, with more than one value, before it is taken as kept. */
const WITNESSES = 3;

/** Two words of one stem: `unsubscribe` and `unsubscribed`, `subscribers` and `subscribed`. */
function sameStem(a: string, b: string): boolean {
  if (a === b) return true;
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n >= 5 && n >= Math.min(a.length, b.length) - 3;
}

/** How much a number's name says it is this count: it names the state counted (2), the records counted or a count (1 each). */
function evidence(path: readonly string[], of: Table, filter: Filter | null): number {
  const words = path.flatMap((p) => nameWords(p)).map(singular);
  const entity = of.entity.split(" ").map(singular);
  let score = 0;
  if (filter && !filter.not && nameWords(filter.value).some((v) => words.some((w) => sameStem(w, v)))) score += 2;
  if (entity.some((e) => words.includes(e))) score += 1;
  if (words.some((w) => COUNTING.has(w))) score += 1;
  return score;
}

/** The counts of `of`'s records the data keeps on other records. */
export function keptCounts(c: RuleContext, of: Table): KeptCount[] {
  if (of.storage === "single") return [];
  const rows = c.records(of);
  if (rows.length === 0) return [];
  const filters: (Filter | null)[] = [null];
  for (const f of of.fields)
    if (f.type === "string" && f.enum && f.enum.length <= 12)
      for (const v of f.enum) filters.push({ field: f.name, value: String(v), not: false }, { field: f.name, value: String(v), not: true });
  const passes = (r: Row, filter: Filter | null) => !filter || (String(r[filter.field]) === filter.value) !== filter.not;
  const out: KeptCount[] = [];
  for (const holder of c.tables.values()) {
    if (holder === of) continue;
    const link = holder.storage === "single" ? undefined : of.fields.find((f) => f.references === holder.name)?.name;
    if (holder.storage !== "single" && !link) continue;
    const holders = c.records(holder);
    const numbers = leaves(holder.fields).filter(
      (l) => (l.field.type === "integer" || l.field.type === "number") && !l.field.references && l.path.join(".") !== holder.key,
    );
    for (const number of numbers) {
      const held = filters.filter((filter) => {
        if (link === undefined) {
          const value = valueIn(holders[0] ?? {}, number.path);
          return holders.length === 1 && typeof value === "number" && value >= 2 && value === rows.filter((r) => passes(r, filter)).length;
        }
        const seen = new Set<number>();
        for (const h of holders) {
          const value = valueIn(h, number.path);
          const count = rows.filter((r) => String(r[link]) === String(h[holder.key]) && passes(r, filter)).length;
          if (value !== count) return false;
          seen.add(count);
        }
        return holders.length >= WITNESSES && seen.size > 1;
      });
      // The count its name says best; one record alone shows too little without its name.
      const scored = held.map((filter) => ({ filter, score: evidence(number.path, of, filter) }));
      const best = Math.max(0, ...scored.map((s) => s.score));
      const top = scored.filter((s) => s.score === best);
      if (top.length !== 1 || best < (link === undefined ? 2 : 1)) continue;
      out.push({ holder, path: number.path, of, ...(link ? { link } : {}), filter: (top[0] as (typeof top)[number]).filter });
    }
  }
  return out;
}

/** After a call makes a record, or changes the state a kept count reads, the count is taken again. */
export function keepCounts(c: RuleContext): void {
  const target = c.target;
  if (!target || (c.subject.kind !== "change" && c.subject.kind !== "create")) return;
  const ownSets = (field: string) =>
    [...c.effects, ...c.inserts].some(
      (r) => "place" in r.rule && !r.rule.place.root && r.rule.place.hops.length === 0 && r.rule.place.path[0] === field,
    );
  for (const k of keptCounts(c, target)) {
    if (c.subject.kind === "change" && !(k.filter && ownSets(k.filter.field)) && !(k.link && ownSets(k.link))) continue;
    const place: Place = k.link
      ? { hops: [{ field: k.link, table: k.holder.name }], path: k.path }
      : { hops: [], path: k.path, root: { table: k.holder.name } };
    const own: ValueExpr = { kind: "read", place: { hops: [], path: [k.link ?? ""] } };
    const where = [
      ...(k.link ? [{ field: k.link, value: own }] : []),
      ...(k.filter
        ? [
            {
              field: k.filter.field,
              value: { kind: "constant", value: k.filter.value } as ValueExpr,
              ...(k.filter.not ? { not: true } : {}),
            },
          ]
        : []),
    ];
    const effect: Effect = { kind: "set", place, value: { kind: "aggregate", op: "count", table: target.name, where } };
    const which = k.filter ? ` whose ${k.filter.field} ${k.filter.not ? "is not" : "is"} ${k.filter.value}` : "";
    c.effect(
      effect,
      "data",
      `the ${k.holder.entity}'s ${k.path.join(".")} is the number of ${k.link ? "its " : ""}${target.entity}s${which} in every record of the data`,
      k.link ? [{ left: own, op: "given" }] : undefined,
    );
  }
}
