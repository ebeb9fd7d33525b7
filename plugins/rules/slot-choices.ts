// A parameter that picks one of a record's slots by name: `home_or_work` ("home", "work") for the
// patient's `contacts.home_phone` / `contacts.work_phone`.
// The shape says it (each value of the parameter's list, then one shared suffix, is a part of the
// same struct); the description says a call that picks an empty slot is refused ("refused when the
// patient has no phone in that slot"): the slot the call picks must hold something.
import type { ValueExpr } from "../../lib/contracts/tool-rules.ts";
import type { RuleContext } from "./context.ts";

const REFUSED =
  /\b(?:refused|rejected|fails)\b[^.]*?\b(?:has\s+no|without\s+an?|no)\s+[a-z_ ]+?\s+in\s+(?:that|the\s+chosen|the\s+given)\s+slot\b/;

export function slotChoices(c: RuleContext): void {
  const target = c.target;
  if (!target || c.subject.kind !== "change") return;
  const said = c.sentences("description").find((s) => REFUSED.test(s.sentence));
  if (!said) return;
  for (const p of c.text.parameters) {
    const values = (p.enum ?? []).filter((v): v is string => typeof v === "string");
    if (values.length < 2 || values.length !== (p.enum ?? []).length) continue;
    for (const struct of target.fields) {
      const parts = struct.type === "object" ? (struct.fields ?? []) : [];
      const first = parts.find((f) => f.name.startsWith(`${values[0]}_`));
      const suffix = first?.name.slice((values[0] as string).length);
      if (!suffix || !values.every((v) => parts.some((f) => f.name === `${v}${suffix}`))) continue;
      const key: ValueExpr = {
        kind: "concat",
        parts: [
          { kind: "parameter", name: p.name },
          { kind: "constant", value: suffix },
        ],
      };
      c.require(
        { kind: "compare", condition: { left: { kind: "read", place: { hops: [], path: [struct.name], key } }, op: "given" } },
        said.source,
        said.sentence,
      );
      return;
    }
  }
}
