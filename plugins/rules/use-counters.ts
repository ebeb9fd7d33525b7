// A record that counts how often it is used: a coupon's `times_redeemed`, a voucher's `times_used`,
// a promotion's `use_count`. A call that writes something else and is given such a record's key
// (a subscription started with a coupon, an order placed with a promo code) uses it once: its
// counter goes up by one. The data's shape says it, whatever the description calls the act.
import type { Table } from "../../lib/contracts/domain-schema.ts";
import type { Condition } from "../../lib/contracts/tool-rules.ts";
import { keyTable } from "../../lib/service-tools/subject.ts";
import type { Parameter } from "../../lib/service-tools/tool-text.ts";
import type { RuleContext } from "./context.ts";

const USE_COUNTER = /^(?:times_[a-z]+ed|(?:use|usage|redemption)_count|uses_count|redemptions_count)$/;

/** The table a parameter names a record of: by its key's name, else by the table's entity (`coupon` → coupons). */
export function namedTable(c: RuleContext, p: Parameter): Table | undefined {
  const tables = [...c.tables.values()];
  const byKey = keyTable(p, tables);
  if (byKey) return byKey;
  const entity = p.name.replaceAll("_", " ").toLowerCase();
  return tables.find((t) => t.entity.toLowerCase() === entity);
}

export function useCounters(c: RuleContext): void {
  if (c.subject.kind !== "change" && c.subject.kind !== "create") return;
  for (const p of c.text.parameters) {
    if (p.type !== "string" || c.identifying.has(p.name)) continue;
    const table = namedTable(c, p);
    if (!table || table === c.target) continue;
    const counter = table.fields.find((f) => (f.type === "integer" || f.type === "number") && USE_COUNTER.test(f.name));
    if (!counter) continue;
    const when: Condition[] | undefined = p.required ? undefined : [{ left: { kind: "parameter", name: p.name }, op: "given" }];
    c.effect(
      {
        kind: "add",
        place: { hops: [], path: [counter.name], root: { table: table.name, key: { kind: "parameter", name: p.name } } },
        amount: { kind: "constant", value: 1 },
        sign: 1,
      },
      "data",
      `the ${table.entity} the call is given is used once more: its ${counter.name} goes up by one`,
      when,
    );
  }
}
