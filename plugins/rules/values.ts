import { leaves, nameWords } from "../../lib/data-pack/places.ts";
import { keyTable } from "../../lib/service-tools/subject.ts";
import { numberIn, quoted } from "../../lib/service-tools/tool-text.ts";
import { here, type RuleContext } from "./context.ts";

/** Whether a text names a parameter: its name, or all its words but `id`, as whole words. */
export function names(text: string, parameter: string): boolean {
  if (new RegExp(`(^|[^a-z0-9_])${parameter}($|[^a-z0-9_])`).test(text)) return true;
  const words = nameWords(parameter).filter((w) => w !== "id");
  return words.length > 0 && words.every((w) => new RegExp(`\\b${w}s?\\b`).test(text));
}

/**
 * A parameter's values, when a clause about it lists them ("must be either 'a' or 'b'"): from its own
 * description, or a sentence of the source that names it (a parameter that names a record has no
 * list of values: its key is any key).
 */
export function parameterValues(c: RuleContext, source: "description" | "policy"): void {
  const tables = [...c.tables.values()];
  for (const p of c.text.parameters) {
    if (p.enum || p.type !== "string" || c.identifying.has(p.name) || keyTable(p, tables)) continue;
    const own = source === "description" && p.description ? [p.description.toLowerCase()] : [];
    const texts = [
      ...own,
      ...c
        .sentences(source)
        .map((s) => s.sentence)
        .flatMap((s) => s.split(/;|:\s/))
        .filter((s) => names(s, p.name)),
    ];
    for (const text of texts) {
      // Examples are not the only values.
      if (/(such as|e\.g\.|for example|\blike\b|example|\bsee\b)/.test(text)) continue;
      // "as decimal strings ("15.00", "10")": quotes after the values' shape show that shape, they
      // are not the only values (an enum would refuse every other amount).
      if (SHAPE_EXAMPLES.test(text)) continue;
      const options = quoted(text);
      // 'a card on file ("ccof:...")': a value's shape, not a value.
      if (options.some((o) => /(\.\.\.|…)$/.test(o))) continue;
      // '("v8" -> "v9")': one value becoming the next, as a counter moves on, not a list of options.
      if (/["'`][^"'`]*["'`]\s*(?:->|→|=>)\s*["'`]/.test(text)) continue;
      if (options.length < 2 || !/\b(either|one of|must be|should be|only|or|is)\b/.test(text)) continue;
      c.require({ kind: "parameter-in", parameter: p.name, values: options }, source, text);
      break;
    }
  }
}

/** A shape word ("as decimal strings", "in ISO format") followed by quoted values in parentheses. */
const SHAPE_EXAMPLES = /\b(?:strings?|numbers?|text|format|form|shape)\s*\(\s*["'`‘“]/;

/** Bounds: an amount positive or at most a number of the record; a counter that caps how often ("at most 2 times"). */
export function bounds(c: RuleContext, source: "description" | "policy"): void {
  const target = c.target;
  for (const { sentence } of c.sentences(source)) {
    for (const clause of sentence.split(/;|:\s/)) {
      for (const p of c.text.parameters.filter((q) => q.type === "number" || q.type === "integer")) {
        if (c.identifying.has(p.name) || !names(clause, p.name)) continue;
        if (/\b(must be positive|greater than (0|zero)|more than (0|zero)|above zero)\b/.test(clause))
          c.require({ kind: "positive", parameter: p.name }, source, clause.trim());
        const bound =
          /\b(at most|no more than|not more than|cannot exceed|must not exceed|may not exceed|up to)\s+(the\s+)?([a-z ]+?)(?:[.,;]|$)/.exec(
            clause,
          );
        if (bound && target) {
          const place = c.numberNamed(bound[3] as string);
          if (place && !/^\d/.test(bound[3] as string))
            c.require({ kind: "at-most", parameter: p.name, limit: { kind: "read", place } }, source, clause.trim());
        }
        // "quantity_total (not below quantity_sold)": a remark after the parameter bounds it by a number of the record.
        const floor = new RegExp(
          `(?:^|[^a-z0-9_])${p.name}\\s*\\(\\s*(not below|not under|not less than|no less than|at least|not above|not over|not more than|no more than|at most)\\s+(?:the\\s+|its\\s+)?([a-z_ ]+?)\\s*[),]`,
        ).exec(clause);
        const place = floor && target ? c.numberNamed(floor[2] as string) : null;
        if (floor && place) {
          const op = /below|under|less|least/.test(floor[1] as string) ? ">=" : "<=";
          c.require(
            { kind: "compare", condition: { left: { kind: "parameter", name: p.name }, op, right: { kind: "read", place } } },
            source,
            `${p.name} ${floor[1]} ${floor[2]} (${clause.trim()})`,
          );
        }
      }
      // "can be renewed at most 2 times": a counter of the record, below the limit, up by one.
      const times = /\b(at most|up to|no more than|maximum of)\s+(\w+)\s+times\b|\b(at most|up to)\s+(once|twice|thrice)\b/.exec(clause);
      if (times && target && c.subject.kind === "change") {
        const limit = numberIn(times[0]);
        const stem = c.text.verb.replace(/e$/, "");
        const counter = leaves(target.fields).find(
          (l) => l.field.type === "integer" && l.path.length === 1 && (l.path[0] as string).startsWith(stem),
        );
        if (limit !== null && counter) {
          c.require({ kind: "below", place: here(counter.path), limit }, source, sentence);
          c.effect(
            { kind: "add", place: here(counter.path), amount: { kind: "constant", value: 1 }, sign: 1 },
            source,
            `${counter.path.join(".")} goes up by one (${sentence})`,
          );
        }
      }
    }
  }
}
