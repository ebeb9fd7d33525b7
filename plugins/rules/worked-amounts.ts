// An amount's unit shown by a worked example: ""500" adds $5.00 to the balance" (an amount in
// cents, written as text). The example says what the call does with the amount (adds it to the
// balance) and at what scale (500 of the parameter make 5.00 of the balance): the place moves by
// the amount so scaled. Only for the call's one amount parameter, and a place the words find.
import type { ValueExpr } from "../../lib/contracts/tool-rules.ts";
import type { RuleContext } from "./context.ts";
import { amountParameter } from "./money-caps.ts";
import { resolvePlace } from "./resolve.ts";

const EXAMPLE =
  /["“](\d+(?:\.\d+)?)["”]\s+(adds|credits|puts|removes|takes|deducts)\s+\$?\s?(\d[\d,]*(?:\.\d+)?)\s+(?:to|on|into|from|off)\s+(?:the\s+)?([a-z][a-z_' ]*?)(?:[.,;)]|$)/i;

export function workedAmounts(c: RuleContext): void {
  if (c.subject.kind !== "change" && c.subject.kind !== "create") return;
  const p = amountParameter(c);
  if (!p) return;
  for (const { written, sentence, source } of c.sentences("description")) {
    const m = EXAMPLE.exec(written);
    if (!m) continue;
    const given = Number(m[1]);
    const moved = Number((m[3] as string).replaceAll(",", ""));
    if (!(given > 0 && moved > 0)) continue;
    const place = resolvePlace(c, (m[4] as string).toLowerCase(), (k) => k === "number");
    if (!place || c.writes(place.place)) continue;
    const amount: ValueExpr = { kind: "parameter", name: p.name };
    const ratio = given / moved;
    const scaled: ValueExpr =
      ratio === 1
        ? amount
        : Number.isInteger(ratio)
          ? { kind: "arith", op: "/", left: amount, right: { kind: "constant", value: ratio } }
          : { kind: "arith", op: "*", left: amount, right: { kind: "constant", value: moved / given } };
    const sign = /^(?:removes|takes|deducts)$/i.test(m[2] as string) ? -1 : 1;
    c.effect({ kind: "add", place: place.place, amount: scaled, sign }, source, sentence);
    return;
  }
}
