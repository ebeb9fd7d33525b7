// A text field the data's records write as another of their fields behind a fixed prefix
// (`page_url` "https://shelf.example/" + `isbn` in every record): a new record's is
// written the same way from its own value of that field.
import type { ValueExpr } from "../../lib/contracts/tool-rules.ts";
import type { RuleContext } from "./context.ts";

export function echoedFields(c: RuleContext, fields: Record<string, ValueExpr>): void {
  const target = c.target;
  if (!target || c.subject.kind !== "create") return;
  const rows = c.records(target);
  for (const f of target.fields) {
    const now = fields[f.name];
    if (f.type !== "string" || (now && !(now.kind === "constant" && now.value === null))) continue;
    for (const g of target.fields) {
      const from = fields[g.name];
      if (g === f || g.type !== "string" || !from || (from.kind === "constant" && from.value === null)) continue;
      const pairs = rows
        .map((r) => [r[f.name], r[g.name]] as const)
        .filter((p): p is readonly [string, string] => typeof p[0] === "string" && typeof p[1] === "string" && p[1] !== "");
      if (pairs.length < 3 || pairs.length < rows.length * 0.8) continue;
      const prefixes = new Set(pairs.map(([a, b]) => (a.endsWith(b) ? a.slice(0, a.length - b.length) : null)));
      const prefix = [...prefixes][0];
      if (prefixes.size !== 1 || !prefix) continue;
      fields[f.name] = { kind: "concat", parts: [{ kind: "constant", value: prefix }, from] };
      break;
    }
  }
}
