// What a tool function's body is written from: the tool's model, its table, how its arguments and
// records are spelled in code, the guards every operation shares, and the lines written so far.
import type { DomainSchema, Table, ToolModel } from "../contracts/domain-schema.ts";
import type { ToolSpec } from "../contracts/tool-spec.ts";
import { TERMINAL_STATES } from "../domain-model/lexicon.ts";
import { prop, q } from "./code-text.ts";

/** What every operation's body is written from: the tool, its table, and the lines written so far. */
export interface BodyContext {
  model: ToolModel;
  schema: DomainSchema;
  spec: ToolSpec | undefined;
  helpers: Set<string>;
  tables: Map<string, Table>;
  table: Table;
  /** The table's expression (`db.orders`). */
  rows: string;
  entity: string;
  lines: string[];
  by(role: string): ToolModel["parameters"];
  arg(name: string): string;
  keyParam: ToolModel["parameters"][number] | undefined;
  /** The tool declares that it returns an array. */
  declaredList: boolean;
  references: ToolModel["parameters"];
  /** Every referenced record must exist (optional references only when given). */
  referenceChecks(optional: boolean): void;
  /** The record's owner must be the one named (`freeze_card(account_id, card_id)`). */
  ownership(record: string): void;
  storedFields(): ToolModel["parameters"];
  /** A record in a terminal state refuses the change. */
  terminalGuard(record: string): void;
}

export function bodyContext(model: ToolModel, schema: DomainSchema, spec: ToolSpec | undefined, helpers: Set<string>): BodyContext {
  const tables = new Map(schema.tables.map((t) => [t.name, t]));
  const table = tables.get(model.table) as Table;
  const rows = prop("db", table.name);
  const entity = table.entity;
  const by = (role: string) => model.parameters.filter((p) => p.role === role);
  const arg = (name: string) => prop("args", name);
  const lines: string[] = [];
  const keyParam = by("key")[0];
  const declaredList = (spec?.returns as { type?: unknown } | undefined)?.type === "array";

  // Every referenced record must exist.
  const references = by("reference");
  const referenceChecks = (optional: boolean) => {
    for (const ref of references) {
      const other = tables.get(ref.table as string) as Table;
      const check = `requireRecord(${prop("db", other.name)}, ${arg(ref.name)}, ${q(other.entity)});`;
      const isOptional = optional && !(spec?.parameters.required as string[] | undefined)?.includes(ref.name);
      lines.push(isOptional ? `if (${arg(ref.name)} !== undefined) ${check}` : check);
    }
  };
  /** The record's owner must be the one named (`freeze_card(account_id, card_id)`). */
  const ownership = (record: string) => {
    for (const ref of references) {
      const fk = table.fields.find((f) => f.name === ref.field && f.references === ref.table);
      if (!fk) continue;
      const owner = (tables.get(ref.table as string) as Table).entity;
      helpers.add("same");
      lines.push(
        `ensure(${arg(ref.name)} === undefined || same(${prop(record, fk.name)}, ${arg(ref.name)}), \`${entity} \${${prop(record, table.key)}} does not belong to ${owner} \${${arg(ref.name)}}\`);`,
      );
    }
  };
  const storedFields = () => by("field").filter((p) => p.field && p.field !== table.key);
  const terminalGuard = (record: string) => {
    if (!table.status) return;
    const terminal = table.status.values.filter((v) => TERMINAL_STATES.has(v));
    if (terminal.length === 0) return;
    lines.push(
      `ensure(!${q(terminal)}.includes(${prop(record, table.status.field)}), \`${entity} \${${prop(record, table.key)}} is \${${prop(record, table.status.field)}}\`);`,
    );
  };
  return {
    model,
    schema,
    spec,
    helpers,
    tables,
    table,
    rows,
    entity,
    lines,
    by,
    arg,
    keyParam,
    declaredList,
    references,
    referenceChecks,
    ownership,
    storedFields,
    terminalGuard,
  };
}
