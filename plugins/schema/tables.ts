// Tables of a domain: one per entity (plural name, key field, id prefix), the helpers that add
// fields to them as the tools are read, and the fields tools declare they return.
import type { Field, Table } from "../../lib/contracts/domain-schema.ts";
import { plural, splitIdentifier } from "../../lib/domain-model/words.ts";
import type { Planned } from "./operations.ts";
import { idEntity, type Parameter, returnedFields } from "./parameters.ts";
import type { EntityInfo } from "./tool-shapes.ts";

function prefixFor(entity: string, taken: Set<string>): string {
  const letters = entity.replace(/[^a-z]/g, "");
  const parts = entity.split("_").filter(Boolean);
  const candidates = [
    letters.slice(0, 3),
    parts.map((p) => p[0]).join("") + (parts.length === 1 ? letters.slice(1, 3) : ""),
    letters.slice(0, 4),
    letters.slice(0, 5),
    letters.slice(0, 8),
  ].filter((c) => /^[a-z]{1,8}$/.test(c));
  for (const candidate of candidates) {
    if (!taken.has(candidate)) {
      taken.add(candidate);
      return candidate;
    }
  }
  for (let i = 0; ; i++) {
    const candidate = `${(letters || "rec").slice(0, 6)}${String.fromCharCode(97 + (i % 26))}${i >= 26 ? String.fromCharCode(97 + Math.floor(i / 26)) : ""}`;
    if (!taken.has(candidate)) {
      taken.add(candidate);
      return candidate;
    }
  }
}

/** The tables under construction, by name and by entity, and how fields are added to them. */
export interface TableSet {
  tables: Map<string, Table>;
  tableOf: Map<string, string>;
  fieldIn(table: Table, name: string): Field | undefined;
  addField(table: Table, name: string, field: Omit<Field, "name">): void;
  /** A field of \`table\` that a bound on \`base\` compares with: the field itself, a date/time field for dates, or one containing the word. */
  boundField(table: Table, base: string, parameter: Parameter): string;
}

/** A table per entity, with its key field. */
export function buildTables(entities: ReadonlyMap<string, EntityInfo>): TableSet {
  // Tables with their key fields.
  const prefixes = new Set<string>();
  const tables = new Map<string, Table>();
  const tableOf = new Map<string, string>();
  const usedNames = new Set<string>();
  for (const info of [...entities.values()].sort((a, b) => a.entity.localeCompare(b.entity))) {
    let name = plural(info.entity);
    if (!/^[a-z]/.test(name)) name = `t_${name}`;
    while (usedNames.has(name)) name = `${name}_x`;
    usedNames.add(name);
    tableOf.set(info.entity, name);
    tables.set(name, {
      name,
      entity: info.entity.replaceAll("_", " "),
      key: info.key,
      keyKind: info.keyKind,
      idPrefix: prefixFor(info.entity, prefixes),
      ...(info.numeric && info.keyType === "string" ? { numericIds: true } : {}),
      fields: [{ name: info.key, type: info.keyType, ...(info.key === "path" ? { description: "absolute path, `/`-separated" } : {}) }],
    });
  }
  const fieldIn = (table: Table, name: string) => table.fields.find((f) => f.name === name);
  const addField = (table: Table, name: string, field: Omit<Field, "name">) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return;
    const existing = fieldIn(table, name);
    if (!existing) {
      table.fields.push({ name, ...field });
      return;
    }
    if (field.enum && existing.type === field.type) existing.enum = [...new Set([...(existing.enum ?? []), ...field.enum])];
    if (field.references && !existing.references) existing.references = field.references;
    if (!existing.description && field.description) existing.description = field.description;
    if (!existing.format && field.format) existing.format = field.format;
  };
  const boundField = (table: Table, base: string, parameter: Parameter): string => {
    if (fieldIn(table, base)) return base;
    if (/^(date|time|datetime|timestamp)$/.test(base)) {
      const dated = table.fields.find((f) => f.format === "date" || f.format === "date-time" || /(^|_)(date|time|at)$/.test(f.name));
      if (dated) return dated.name;
    }
    const containing = table.fields.find((f) => f.name.split("_").includes(base) && f.type !== "boolean");
    if (containing) return containing.name;
    addField(table, base, { ...parameter.field, description: undefined } as Omit<Field, "name">);
    return base;
  };
  return { tables, tableOf, fieldIn, addField, boundField };
}

/** What tools declare they return are fields of their tables (before bounds look for fields). */
export function addReturnedFields(planned: readonly Planned[], set: TableSet): void {
  const { tables, tableOf, addField } = set;
  for (const plan of planned) {
    if (!["create", "get", "upsert", "update", "list", "lookup"].includes(plan.operation)) continue;
    const table = tables.get(tableOf.get(plan.entity) as string) as Table;
    for (const { name, field } of returnedFields(plan.shape.tool)) {
      const entity = idEntity(splitIdentifier(name));
      const target = entity ? tableOf.get(entity) : undefined;
      if (entity && target && target !== table.name) addField(table, name, { ...field, references: target });
      else if (!entity || target === table.name) addField(table, name, field);
    }
  }
}
