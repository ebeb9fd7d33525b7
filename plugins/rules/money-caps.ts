// A cap in money on what one call moves, said as a sum of dollars rather than of the parameter:
// "each credit is at most $50.00", "a refund may not exceed $200". It bounds the call's one amount
// parameter, in the unit the tool counts it in (cents when it says so), and on the side its sign
// says: an amount the tool takes as negative (a credit written -2500) may go no lower than minus
// the cap.
import type { RuleSource } from "../../lib/contracts/tool-rules.ts";
import type { Parameter } from "../../lib/service-tools/tool-text.ts";
import type { RuleContext } from "./context.ts";

const CAP =
  /\b(?:is|are|be)?\s*(?:at most|no more than|not more than|up to|may not exceed|must not exceed|cannot exceed|can not exceed|never exceeds?|limited to)\s+(?:a\s+(?:total|maximum)\s+of\s+)?(?:US)?\$\s?(\d[\d,]*(?:\.\d{1,2})?)/i;
const AMOUNT = /(^|_)amount($|_)/;

/**
 * The one money parameter of the call: numeric and named an amount, or a text of digits that counts
 * one ("amount in cents as a string of digits"); null when there is none or several.
 */
export function amountParameter(c: RuleContext): Parameter | null {
  const numeric = c.text.parameters.filter(
    (p) =>
      (p.type === "integer" || p.type === "number" || (p.type === "string" && /\b(?:digits|cents)\b|"\d+\.\d{2}"/i.test(p.description))) &&
      AMOUNT.test(p.name) &&
      !c.identifying.has(p.name),
  );
  return numeric.length === 1 ? (numeric[0] as Parameter) : null;
}

export function moneyCaps(c: RuleContext, source: "description" | "policy"): void {
  const p = amountParameter(c);
  if (!p) return;
  const about = `${c.text.written.sentences.join(" ")} ${p.description}`;
  // Counted in cents ("integer cents", "amount in cents"): a dollar is 100 of them.
  const scale = /\bcents?\b/i.test(about) ? 100 : 1;
  // Taken as a negative number ("negative integer cents", "the amount is negative"): the cap bounds it from below.
  const negative = /\bnegative\b/i.test(p.description) || /\bamount\s+(?:is|must be)\s+(?:a\s+)?negative\b/i.test(about);
  refusedRange(c, p, source);
  for (const { written, source: from } of c.sentences(source)) {
    for (const clause of written.split(/;|\band\b|,\s+(?=but|while)/)) {
      const m = CAP.exec(clause);
      if (!m) continue;
      const cap = Math.round(Number((m[1] as string).replaceAll(",", "")) * scale);
      if (!Number.isFinite(cap) || cap <= 0) continue;
      require(c, p, negative ? -cap : cap, negative, from, clause.trim());
      return;
    }
  }
}

function require(c: RuleContext, p: Parameter, limit: number, negative: boolean, source: RuleSource, text: string): void {
  c.require(
    {
      kind: "compare",
      condition: { left: { kind: "parameter", name: p.name }, op: negative ? ">=" : "<=", right: { kind: "constant", value: limit } },
    },
    source,
    text,
  );
}

/**
 * "Refused … when the amount is below 100 ($1.00) or above 50000 ($500.00) per request": the
 * amount's bounds, written in the parameter's own unit (the dollars in parentheses only gloss them).
 */
function refusedRange(c: RuleContext, p: Parameter, source: "description" | "policy"): void {
  const words = p.name.replaceAll("_", " ");
  const side = String.raw`(below|under|less than|lower than|above|over|more than|greater than)\s+["“]?(\d[\d,]*(?:\.\d+)?)["”]?`;
  for (const { sentence, source: from } of c.sentences(source)) {
    if (!/\b(?:refused|rejected|fails|errors)\b/.test(sentence)) continue;
    // "… when the amount is below …", or one refusal of a list ("refused when X, Y, the amount is over "1000.00", or …").
    const m = new RegExp(
      String.raw`\b(?:when|if)\b(?:[^.]*?(?:,|\bor))?\s+(?:the\s+)?${words}\s+is\s+${side}(?:\s*\([^)]*\))?(?:\s+or\s+${side})?`,
    ).exec(sentence);
    if (!m) continue;
    for (const [word, number] of [
      [m[1], m[2]],
      [m[3], m[4]],
    ]) {
      if (!word || !number) continue;
      const limit = Number(number.replaceAll(",", ""));
      const low = /^(?:below|under|less than|lower than)$/.test(word);
      c.require(
        {
          kind: "compare",
          condition: { left: { kind: "parameter", name: p.name }, op: low ? ">=" : "<=", right: { kind: "constant", value: limit } },
        },
        from,
        sentence,
      );
    }
    return;
  }
}
