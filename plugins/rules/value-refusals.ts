// What one value of a parameter's fixed list does to a call, as a description says it: "dangerous_goods
// cannot be shipped through this platform" (that value is refused), "other needs contents_explanation"
// (with that value, another parameter must be given). A value counts only when exactly one parameter
// lists it (or, of several, the sentence names one), so a word of the prose is not taken for a value.
import type { Parameter } from "../../lib/service-tools/tool-text.ts";
import type { RuleContext } from "./context.ts";

const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export function valueRefusals(c: RuleContext): void {
  const listed = c.text.parameters.filter((p) => p.enum && p.enum.length >= 2 && !c.identifying.has(p.name));
  // The one parameter that lists the value; of several, the one the sentence names.
  const owner = (value: string, sentence: string): Parameter | null => {
    const owners = listed.filter((p) => p.enum?.some((v) => String(v).toLowerCase() === value));
    const named = owners.length > 1 ? owners.filter((p) => sentence.includes(p.name)) : owners;
    return named.length === 1 ? (named[0] as Parameter) : null;
  };
  for (const { sentence, source } of c.sentences("description")) {
    for (const clause of sentence.replaceAll("`", "").split(/;|:\s|\(|\)/)) {
      for (const p of listed) {
        for (const raw of p.enum ?? []) {
          const value = String(raw).toLowerCase();
          if (value.length < 3 || owner(value, sentence) !== p) continue;
          // The value opens the clause ("a card that is already canceled cannot be changed" speaks of a card).
          const at = `^\\s*(?:an?\\s+|the\\s+)?${literal(value)}`;
          // "dangerous_goods cannot be shipped", "gift is not accepted"
          if (
            new RegExp(
              `${at}\\s+(?:cannot|can not|may not|must not)\\s+be\\b|${at}\\s+(?:is|are)\\s+not\\s+(?:allowed|accepted|supported|permitted)\\b`,
            ).test(clause)
          ) {
            const rest = (p.enum ?? []).filter((v) => String(v).toLowerCase() !== value).map((v) => v as string | number);
            if (rest.length > 0) c.require({ kind: "parameter-in", parameter: p.name, values: rest }, source, clause.trim());
            continue;
          }
          // "other needs contents_explanation", "a return requires reason"
          const needs = new RegExp(`${at}\\s+(?:needs|requires)\\s+(?:an?\\s+|the\\s+)?([a-z][a-z0-9_]*)`).exec(clause);
          const other = needs ? c.text.parameters.find((q) => q.name === needs[1] && q.name !== p.name && !q.required) : undefined;
          if (other)
            c.requireWhen(
              { kind: "compare", condition: { left: { kind: "parameter", name: other.name }, op: "given" } },
              [{ left: { kind: "parameter", name: p.name }, op: "==", right: { kind: "constant", value: raw } }],
              source,
              clause.trim(),
            );
        }
      }
    }
  }
}
