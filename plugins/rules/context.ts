// What rule derivation knows of one tool: its text, the table it acts on, the data, and the
// places it can reach; with the rules found so far.
import type { Field, Table } from "../../lib/contracts/domain-schema.ts";
import type { DomainState, Row } from "../../lib/contracts/domain-state.ts";
import type { Condition, Effect, Place, Requirement, Rule, RuleSource, ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { type Holder, leaves, maps, nameWords, overlap, reachable } from "../../lib/data-pack/places.ts";
import { entriesOf, valueIn } from "../../lib/domain-model/service-arguments.ts";
import { singular } from "../../lib/domain-model/words.ts";
import type { Subject } from "../../lib/service-tools/subject.ts";
import type { Parameter, ToolText } from "../../lib/service-tools/tool-text.ts";
import { counterFor, entryKeyField } from "./counters.ts";

export class RuleContext {
  readonly text: ToolText;
  readonly subject: Subject;
  readonly tables: ReadonlyMap<string, Table>;
  readonly data: DomainState;
  readonly requires: Rule[] = [];
  readonly effects: Rule[] = [];
  /** Records of other tables the call makes: they run after every other effect, so they see what the call left. */
  readonly inserts: Rule[] = [];
  /** Parameters that say which record the tool acts on (its key, or the fields that find it): never values it writes. */
  readonly identifying = new Set<string>();

  constructor(text: ToolText, subject: Subject, tables: ReadonlyMap<string, Table>, data: DomainState) {
    this.text = text;
    this.subject = subject;
    this.tables = tables;
    this.data = data;
    if (subject.keyParameter) this.identifying.add(subject.keyParameter);
  }

  get target(): Table | null {
    return this.subject.table;
  }

  /** The entries of the lists at `path` of every record of `table`, in the data. */
  entriesAt(table: Table, path: readonly string[]): Row[] {
    return this.records(table).flatMap((r) => {
      const list = valueIn(r, path);
      return Array.isArray(list) ? (list.filter((e) => e && typeof e === "object") as Row[]) : [];
    });
  }

  /** The target's records in the data. */
  records(table: Table | null = this.target): Row[] {
    return table ? Object.values(this.data[table.name] ?? {}) : [];
  }

  /** Every sentence that may speak of this tool: its description's, then the policy's (or those of one source). */
  sentences(source?: "description" | "policy"): { sentence: string; source: RuleSource; written: string }[] {
    const { sentences, policy, written } = this.text;
    return [
      ...(source === "policy"
        ? []
        : sentences.map((sentence, i) => ({ sentence, source: "description" as const, written: written.sentences[i] ?? sentence }))),
      ...(source === "description"
        ? []
        : policy.map((sentence, i) => ({ sentence, source: "policy" as const, written: written.policy[i] ?? sentence }))),
    ];
  }

  parameter(name: string): Parameter | undefined {
    return this.text.parameters.find((p) => p.name === name);
  }

  /** The parameter whose name matches `field` best (shared words; the most of them wins), when any does. */
  parameterFor(field: string, taken: ReadonlySet<string> = new Set()): Parameter | undefined {
    let best: { p: Parameter; score: number; shared: number } | undefined;
    const fieldWords = new Set(nameWords(field).filter((w) => w !== "id"));
    for (const p of this.text.parameters) {
      if (taken.has(p.name)) continue;
      // `line_ids` sets `return_lines`: its words but "id" are all the field's.
      const bare = nameWords(p.name).filter((w) => w !== "id");
      const score = Math.max(overlap(p.name, field), bare.length > 0 && bare.every((w) => fieldWords.has(w)) ? 1 : 0);
      const shared = nameWords(p.name).filter((w) => fieldWords.has(w)).length;
      if (score >= 1 && (!best || shared > best.shared || (shared === best.shared && p.name.length > best.p.name.length)))
        best = { p, score, shared };
    }
    return best?.p;
  }

  /** A numeric field reachable from the target that a phrase names ("the book's replacement cost"). */
  numberNamed(phrase: string): Place | null {
    if (!this.target) return null;
    const words = new Set(nameWords(phrase));
    let best: { place: Place; score: number } | null = null;
    for (const { table, hops } of reachable(this.tables, this.target)) {
      for (const leaf of leaves(table.fields)) {
        if (leaf.field.type !== "number" && leaf.field.type !== "integer") continue;
        const fieldWords = nameWords(leaf.path.at(-1) as string);
        if (!fieldWords.every((w) => words.has(w))) continue;
        const score = fieldWords.length * 10 - hops.length;
        if (!best || score > best.score) best = { place: { hops, path: leaf.path }, score };
      }
    }
    return best?.place ?? null;
  }

  /**
   * The map of records a parameter names an entry of: by name (`payment_method_id` → the member's
   * `payment_methods`), by its description ("a payment method of the patient's wallet"), or by
   * the data (the values of fields of that name elsewhere are keys of the map).
   */
  /** The keys of the entries a holder keeps, over every record of its table. */
  entryKeys(holder: Holder): Set<string> {
    return new Set(this.records(holder.table).flatMap((r) => Object.keys(entriesOf(valueIn(r, holder.place.path), holder.keyField))));
  }

  mapFor(parameter: string): Holder | null {
    if (!this.target) return null;
    const candidates = maps(this.tables, this.target);
    const stem = parameter.replace(/_?ids?$/i, "");
    const byName = candidates.find((h) => overlap(stem, h.field.name) >= 1);
    if (byName) return byName;
    const described = this.parameter(parameter)?.description.toLowerCase() ?? "";
    // Only a parameter that holds a key is read by its description: free text that speaks of a
    // charge ("What is charged, as it should appear on the bill") names no charge.
    const holdsKey = /(^|_)(id|ids|key|keys)$|Ids?$/.test(parameter) || /\b(id|ids|key|identifier)\b/.test(described);
    const byDescription = holdsKey ? candidates.find((h) => nameWords(h.field.name).every((w) => described.includes(w))) : undefined;
    if (byDescription) return byDescription;
    const values = valuesNamed(this.data, parameter);
    if (values.size === 0) return null;
    for (const holder of candidates) {
      const keys = this.entryKeys(holder);
      const inside = [...values].filter((v) => keys.has(v)).length;
      if (inside / values.size >= 0.9) return holder;
    }
    return null;
  }

  /** The value an amount is: a numeric parameter that names one, else a number the sentence names. */
  amountIn(sentence: string): ValueExpr | null {
    const param = this.text.parameters.find(
      (p) => (p.type === "number" || p.type === "integer") && /(amount|price|cost|fee|sum|total|value)/.test(p.name),
    );
    if (param) return { kind: "parameter", name: param.name };
    const place = this.numberNamed(sentence);
    return place ? { kind: "read", place } : null;
  }

  require(rule: Requirement, source: RuleSource, text: string): void {
    if (this.requires.some((r) => JSON.stringify(r.rule) === JSON.stringify(rule))) return;
    // A requirement on an optional parameter holds when it is given: left out, there is nothing to check.
    const on =
      "parameter" in rule
        ? rule.parameter
        : rule.kind === "compare" && rule.condition.left.kind === "parameter"
          ? rule.condition.left.name
          : null;
    const optional = on !== null && this.parameter(on)?.required === false;
    this.requires.push({ rule, source, text, ...(optional ? { when: [{ left: { kind: "parameter", name: on }, op: "given" }] } : {}) });
  }

  /** A requirement that holds only on calls that meet `when` (a status a parameter sets). */
  requireWhen(rule: Requirement, when: Condition[], source: RuleSource, text: string): void {
    if (this.requires.some((r) => JSON.stringify(r.rule) === JSON.stringify(rule) && JSON.stringify(r.when) === JSON.stringify(when)))
      return;
    this.requires.push({ rule, source, text, when });
  }

  effect(rule: Effect, source: RuleSource, text: string, when?: Condition[]): void {
    if (this.effects.some((r) => JSON.stringify(r.rule) === JSON.stringify(rule))) return;
    this.effects.push({ rule, source, text, ...(when && when.length > 0 ? { when } : {}) });
  }

  /** Whether a place is one the call's identifying parameters are compared with (a key, a found-by field). */
  identifyingPlace(place: Place): boolean {
    return place.hops.length === 0 && !place.root && place.path.length === 1 && this.identifying.has(place.path[0] as string);
  }

  /**
   * An entry made from the call for a list of records: each field from the parameter of its name
   * (or its words), `…_at`/date fields from the clock, a field a quote in the text sets
   * (`type: "Comment"`) from it. Null when no field comes from the call.
   */
  entryFromCall(
    fields: readonly Field[],
    quotes: readonly string[] = [],
    list?: { name: string; entries: readonly Row[] },
    /** An entry the text writes out whole, made though the call gives none of its fields. */
    stated = false,
  ): Record<string, ValueExpr> | null {
    const element: Record<string, ValueExpr> = {};
    const taken = new Set<string>([...this.identifying]);
    let fromCall = 0;
    // An entry's own key from the counter the data keeps for its kind (`next_comment_id`).
    const keyField = list ? entryKeyField(list.name, fields, list.entries) : null;
    if (list && keyField) {
      const counter = counterFor(
        this.tables,
        this.data,
        nameWords(singular(list.name)),
        list.entries.map((e) => e[keyField]),
      );
      if (counter) element[keyField] = { kind: "next", counter: counter.place, prefix: counter.prefix };
    }
    for (const f of fields) {
      if (element[f.name]) continue;
      const param = this.text.parameters.find((p) => p.name === f.name) ?? this.parameterFor(f.name, taken);
      if (param && param.type !== "array" && !taken.has(param.name)) {
        element[f.name] = { kind: "parameter", name: param.name };
        taken.add(param.name);
        fromCall += 1;
      } else if (f.format === "date-time" || /_at$/.test(f.name)) element[f.name] = nowFor(f);
      else if (f.format === "date" || /(^|_)date$/.test(f.name)) element[f.name] = { kind: "today" };
      else if (f.enum && f.enum.length === 1) element[f.name] = { kind: "constant", value: f.enum[0] };
      else {
        const quoted = quotes.find((q) => f.enum?.some((v) => String(v).toLowerCase() === q.toLowerCase()));
        if (quoted !== undefined)
          element[f.name] = { kind: "constant", value: f.enum?.find((v) => String(v).toLowerCase() === quoted.toLowerCase()) };
      }
    }
    return fromCall > 0 || stated ? element : null;
  }

  /** Whether an effect already writes this place (one from `source`, when it is given). */
  writes(place: Place, source?: RuleSource): boolean {
    const key = JSON.stringify(place);
    return this.effects.some((r) => "place" in r.rule && JSON.stringify(r.rule.place) === key && (!source || r.source === source));
  }
}

export const here = (path: string[]): Place => ({ hops: [], path });

/** Every value the data holds under a field of this name, at any depth. */
function valuesNamed(data: DomainState, name: string): Set<string> {
  const out = new Set<string>();
  const visit = (value: unknown, depth: number) => {
    if (depth > 6 || !value || typeof value !== "object") return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1);
      return;
    }
    for (const [key, item] of Object.entries(value)) {
      if (key === name && (typeof item === "string" || typeof item === "number")) out.add(String(item));
      else visit(item, depth + 1);
    }
  };
  visit(data, 0);
  return out;
}

/** Whether a field holds a time: a date-time text, or a number of Unix seconds. The one test of "stamped with now". */
export function isTime(field: Pick<Field, "format" | "unixSeconds">): boolean {
  return field.format === "date-time" || field.unixSeconds === true;
}

/**
 * Whether a parameter's value can be a field's: a flag only a flag's, and a list or an object
 * (`tags: [{name, status}]`) never a number's or a text's (`tags_count` shares a word with `tags`
 * but counts them).
 */
export function fitsField(p: Pick<Parameter, "type">, field: Pick<Field, "type">): boolean {
  if ((p.type === "boolean") !== (field.type === "boolean")) return false;
  if ((p.type === "array" || p.type === "object") && field.type !== p.type) return false;
  return true;
}

/** The clock as a field of the data writes it (whole seconds when the data's times have no milliseconds; Unix seconds when it counts them). */
export function nowFor(field: Pick<Field, "wholeSeconds" | "utcOffset" | "unixSeconds">): ValueExpr {
  if (field.unixSeconds) return { kind: "now", unixSeconds: true };
  return {
    kind: "now",
    ...(field.wholeSeconds || field.utcOffset ? { wholeSeconds: true } : {}),
    ...(field.utcOffset ? { utcOffset: field.utcOffset } : {}),
  };
}

/** A holder's place and key field, as rules carry them. */
export function heldAt(holder: Holder): { place: Place; keyField?: string } {
  return holder.keyField ? { place: holder.place, keyField: holder.keyField } : { place: holder.place };
}
