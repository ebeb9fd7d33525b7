// Amounts: a transfer moves a counter between two records (and writes both sides to a ledger table
// when one references the table); a create with an amount or a quantity draws down the counter of
// the record it references (stock for a quantity, balance for an amount).
import type { Table, ToolModel } from "../../lib/contracts/domain-schema.ts";
import { COUNTER_FIELDS } from "../../lib/domain-model/lexicon.ts";
import { snake } from "../../lib/domain-model/words.ts";
import type { TableSet } from "./tables.ts";
import { AMOUNT, LEDGER, NOT_CONSUMING, QUANTITY, type Shape } from "./tool-shapes.ts";

export function applyAmounts(models: ToolModel[], shapes: readonly Shape[], set: TableSet): void {
  const { tables, fieldIn, addField } = set;
  const counterOf = (table: Table, kind: "amount" | "quantity") => COUNTER_FIELDS[kind].find((name) => fieldIn(table, name)) ?? null;
  for (const model of models) {
    const table = tables.get(model.table) as Table;
    if (model.operation === "transfer") {
      let counter = counterOf(table, "amount") ?? counterOf(table, "quantity");
      if (!counter) {
        counter = "balance";
        addField(table, counter, { type: "number", minimum: 0 });
      }
      const amount = model.parameters.find((p) => p.role === "amount");
      if (amount) amount.field = counter;
      // A table of movements that references this one gets a record per side.
      const ledger = [...tables.values()].find(
        (other) => other.name !== table.name && LEDGER.test(other.name) && other.fields.some((f) => f.references === table.name),
      );
      if (ledger) {
        const reference = ledger.fields.find((f) => f.references === table.name)?.name as string;
        const amountField = ledger.fields.find((f) => AMOUNT.has(f.name) && f.type !== "string")?.name ?? "amount";
        if (!fieldIn(ledger, amountField)) addField(ledger, amountField, { type: "number" });
        const date = ledger.fields.find((f) => f.format === "date" || f.format === "date-time" || f.name === "date")?.name;
        const memoParameter = model.parameters.find((p) => /memo|note|description|reference|message/.test(p.name));
        if (memoParameter && !fieldIn(ledger, snake(memoParameter.name)))
          addField(ledger, snake(memoParameter.name), { type: "string", nullable: true });
        model.ledger = {
          table: ledger.name,
          reference,
          amount: amountField,
          ...(date ? { date } : {}),
          ...(memoParameter ? { memo: memoParameter.name } : {}),
        };
        model.writes = [...new Set([...model.writes, ledger.name])].sort();
        model.reads = [...new Set([...model.reads, ledger.name])].sort();
      }
      continue;
    }
    const verb = shapes.find((s) => s.tool.name === model.tool)?.verb ?? "";
    if (model.operation !== "create" || NOT_CONSUMING.has(verb)) continue;
    for (const parameter of shapes.find((s) => s.tool.name === model.tool)?.params ?? []) {
      const name = snake(parameter.name);
      const kind = AMOUNT.has(name) ? "amount" : QUANTITY.has(name) ? "quantity" : null;
      if (!kind || (parameter.field.type !== "number" && parameter.field.type !== "integer")) continue;
      for (const reference of model.parameters.filter((p) => p.role === "reference")) {
        const referenced = tables.get(reference.table as string) as Table;
        const counter = counterOf(referenced, kind);
        if (!counter) continue;
        model.debits = [...(model.debits ?? []), { parameter: parameter.name, table: referenced.name, field: counter }];
        model.writes = [...new Set([...model.writes, referenced.name])].sort();
        break;
      }
    }
  }
}
