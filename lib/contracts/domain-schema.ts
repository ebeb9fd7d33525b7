// The database a domain's tools work on, and what each tool does to it (artifact `schemas`).
//
// ScaleEnv's order: the tools come first, the database is reverse-engineered from them. Tables
// are objects keyed by their key field (`db.orders["ord_0001"]`); every tool is a read or a write,
// of one operation kind, with its parameters bound to tables and fields.
import { z } from "zod";
import { serviceModelSchema } from "./tool-rules.ts";

export const fieldTypes = ["string", "number", "integer", "boolean", "object", "array"] as const;

/** The shape of a field, for TypeScript types and nested data: a struct, a map of records, a list. */
export interface Field {
  name: string;
  type: (typeof fieldTypes)[number];
  description?: string;
  enum?: (string | number)[];
  format?: string;
  /** date-time: the data writes whole seconds (`…T10:00:00Z`, no milliseconds). */
  wholeSeconds?: boolean;
  /** date-time: the data writes its times at this offset from UTC (`…T10:00:00+02:00`), not in UTC. */
  utcOffset?: string;
  /** A time written as Unix seconds (an integer, `1746436800`), as some APIs write every time. */
  unixSeconds?: boolean;
  minimum?: number;
  maximum?: number;
  references?: string;
  /** Text that is a digest (lowercase hex) of another field's text, as a subscriber hash is of an email. */
  digestOf?: { field: string; algorithm: "md5" | "sha1" | "sha256"; lowercase: boolean };
  nullable?: boolean;
  /** A nested object's own fields (`address`: street, city, zip). */
  fields?: Field[];
  /** An object keyed by id whose values are records of these fields (`payment_methods`: id → method). */
  entries?: Field[];
  /** An array's elements: their type, their fields when they are objects, the table they name when they are keys. */
  items?: { type: (typeof fieldTypes)[number]; fields?: Field[]; references?: string; key?: string };
  /** An object keyed by values (dates, codes) whose values are not records: open slots by date. */
  mapOf?: { keyFormat?: string; type: (typeof fieldTypes)[number]; items?: (typeof fieldTypes)[number] };
}

export const fieldSchema: z.ZodType<Field> = z.lazy(() =>
  z.object({
    name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
    type: z.enum(fieldTypes),
    description: z.string().optional(),
    enum: z
      .array(z.union([z.string(), z.number()]))
      .min(1)
      .optional(),
    /** JSON Schema format (`date`, `date-time`, `email`, `uri`…). */
    format: z.string().optional(),
    wholeSeconds: z.boolean().optional(),
    utcOffset: z
      .string()
      .regex(/^[+-]\d{2}:\d{2}$/)
      .optional(),
    unixSeconds: z.boolean().optional(),
    minimum: z.number().optional(),
    maximum: z.number().optional(),
    /** A foreign key: the table whose key this field holds. */
    references: z.string().optional(),
    /** The field whose text (lowercased and trimmed when `lowercase`) this field holds the hex digest of. */
    digestOf: z.object({ field: z.string(), algorithm: z.enum(["md5", "sha1", "sha256"]), lowercase: z.boolean() }).optional(),
    /** Whether a record may lack it (null). */
    nullable: z.boolean().optional(),
    fields: z.array(fieldSchema).optional(),
    entries: z.array(fieldSchema).optional(),
    items: z
      .object({
        type: z.enum(fieldTypes),
        fields: z.array(fieldSchema).optional(),
        references: z.string().optional(),
        /** Elements that are records keyed by this field (a wallet's `method_id`): a list used as a map. */
        key: z.string().optional(),
      })
      .optional(),
    mapOf: z
      .object({
        keyFormat: z.string().optional(),
        type: z.enum(fieldTypes),
        items: z.enum(fieldTypes).optional(),
      })
      .optional(),
  }),
);

export const tableSchema = z.object({
  /** Plural, snake_case: `reservations`. */
  name: z.string().regex(/^[a-z][a-z0-9_]*$/),
  /** Singular, as people say it: `reservation`. */
  entity: z.string(),
  /** The key field: `reservation_id`, or a natural key such as `path`. */
  key: z.string(),
  /** `id`: made up by the tool that creates the record; `natural`: given by the caller (a path, an email). */
  keyKind: z.enum(["id", "natural"]),
  /** Prefix of generated ids (`res` → `res_0001`). */
  idPrefix: z.string().regex(/^[a-z]{1,8}$/),
  /** Ids are number-like text (`"101"`), because some tool passes them as integers. */
  numericIds: z.boolean().optional(),
  /** The status field's name, when records move through states (cancelled, frozen…). */
  status: z.object({ field: z.string(), initial: z.string(), values: z.array(z.string()).min(1) }).optional(),
  /**
   * How a service's data holds this collection, when not as records keyed by their key field:
   * `single`, one record of fields (settings, counters, a session) under the key `current`;
   * `position`, records with no key of their own, keyed by their place in the list. Their `key`
   * is then no field of the records.
   */
  storage: z.enum(["single", "position"]).optional(),
  fields: z.array(fieldSchema),
});
export type Table = z.infer<typeof tableSchema>;

export const operationKinds = [
  /** Insert a record (ids made up, natural keys refused when taken). */
  "create",
  /** Insert or replace by natural key (`write_file`). */
  "upsert",
  /** One record by key. */
  "get",
  /** Records filtered by the arguments (foreign keys, enums, ranges, text). */
  "list",
  /** Change fields of one record. */
  "update",
  /** Move a record through its states (`cancel_order` → cancelled). */
  "set-status",
  /** Remove one record, by key or by matching fields. */
  "delete",
  /** Move an amount between two records of one table (`transfer_funds`). */
  "transfer",
  /** Re-key a record (`move_file`: source path → destination path). */
  "move",
  /** A read that answers from matching records (`get_weather(city)`): the fallback for verbs of no other kind. */
  "lookup",
] as const;
export type OperationKind = (typeof operationKinds)[number];

export const parameterRoles = [
  /** The key of the record the tool acts on. */
  "key",
  /** The key of another record, which must exist. */
  "reference",
  /** A value stored in (create, update) or compared with (list, lookup) a field of the table. */
  "field",
  /** Free text matched against the table's text fields. */
  "query",
  /** Lower or upper bound of a field (`min_price`, `from_date`). */
  "lower-bound",
  "upper-bound",
  /** How many records at most. */
  "limit",
  /** The amount moved (`transfer`) or consumed from a referenced record (`debits`). */
  "amount",
  /** Source and destination keys (`transfer`, `move`). */
  "source",
  "destination",
  /** A path under which records are listed (`list_directory(path)`, `search_files(directory)`). */
  "parent",
  /** Read by the tool but stored nowhere (a flag such as `include_hidden`). */
  "option",
] as const;
export type ParameterRole = (typeof parameterRoles)[number];

export const toolModelSchema = z.object({
  tool: z.string(),
  access: z.enum(["read", "write"]),
  operation: z.enum(operationKinds),
  /** The table the tool acts on. */
  table: z.string(),
  /** Every table it reads or writes (for reads, writes = []). */
  reads: z.array(z.string()),
  writes: z.array(z.string()),
  parameters: z.array(
    z.object({
      name: z.string(),
      role: z.enum(parameterRoles),
      /** For `reference`/`source`/`destination`/`key`: the table; for `field` and bounds: the field of `table`. */
      table: z.string().optional(),
      field: z.string().optional(),
    }),
  ),
  /** set-status: the state a record moves to, and the states it may not be in. */
  status: z.object({ to: z.string(), refusedFrom: z.array(z.string()) }).optional(),
  /** A numeric field of a referenced record this tool draws down (stock for quantity, balance for amount). */
  debits: z.array(z.object({ parameter: z.string(), table: z.string(), field: z.string() })).optional(),
  /** transfer: a table of movements (transactions) that gets one record per side, with its fields. */
  ledger: z
    .object({
      table: z.string(),
      reference: z.string(),
      amount: z.string().optional(),
      date: z.string().optional(),
      memo: z.string().optional(),
    })
    .optional(),
  /** One line on what the tool does to the database (shown to models and in reports). */
  summary: z.string(),
  /**
   * Domains modelled on a data pack: the tool's rules (preconditions and effects on the data, each
   * with where it came from), from which its code is written and its verification cases are made.
   */
  service: serviceModelSchema.optional(),
});
export type ToolModel = z.infer<typeof toolModelSchema>;

export const domainSchemaSchema = z.object({
  domain: z.string(),
  /** `rules`: inferred offline from the tools; `data`: from a data pack (and the tools, policy); `model`: written by the model and checked. */
  source: z.enum(["rules", "data", "model"]),
  tables: z.array(tableSchema).min(1),
  tools: z.array(toolModelSchema).min(1),
  /** Why the model's schema was not used, when it was asked and failed. */
  modelRejected: z.string().optional(),
});
export type DomainSchema = z.infer<typeof domainSchemaSchema>;

/** Consistency a zod schema cannot say: every name a tool or field uses exists. Empty when fine. */
export function schemaProblems(schema: DomainSchema, toolNames: readonly string[]): string[] {
  const problems: string[] = [];
  const tables = new Map(schema.tables.map((table) => [table.name, table]));
  if (tables.size !== schema.tables.length) problems.push("two tables share a name");
  for (const table of schema.tables) {
    const fields = new Set(table.fields.map((f) => f.name));
    if (!table.storage && !fields.has(table.key)) problems.push(`table ${table.name}: its key ${table.key} is not one of its fields`);
    if (table.status && !fields.has(table.status.field))
      problems.push(`table ${table.name}: status field ${table.status.field} is not one of its fields`);
    for (const field of table.fields) {
      if (field.references && !tables.has(field.references))
        problems.push(`table ${table.name}: field ${field.name} references unknown table ${field.references}`);
    }
  }
  const modelled = new Set(schema.tools.map((t) => t.tool));
  for (const name of toolNames) if (!modelled.has(name)) problems.push(`tool ${name} is not modelled`);
  for (const tool of schema.tools) {
    if (!toolNames.includes(tool.tool)) problems.push(`tool ${tool.tool} is not a tool of this domain`);
    const table = tables.get(tool.table);
    if (!table) {
      problems.push(`tool ${tool.tool}: unknown table ${tool.table}`);
      continue;
    }
    for (const name of [...tool.reads, ...tool.writes]) if (!tables.has(name)) problems.push(`tool ${tool.tool}: unknown table ${name}`);
    if (tool.access === "read" && tool.writes.length > 0) problems.push(`tool ${tool.tool}: a read tool writes ${tool.writes.join(", ")}`);
    if (tool.access === "write" && tool.writes.length === 0) problems.push(`tool ${tool.tool}: a write tool writes no table`);
    for (const parameter of tool.parameters) {
      if (parameter.table && !tables.has(parameter.table))
        problems.push(`tool ${tool.tool}: parameter ${parameter.name} names unknown table ${parameter.table}`);
      if (parameter.field) {
        const owner = tables.get(parameter.table ?? tool.table);
        if (owner && !owner.fields.some((f) => f.name === parameter.field))
          problems.push(`tool ${tool.tool}: parameter ${parameter.name} names unknown field ${owner.name}.${parameter.field}`);
      }
    }
    if (tool.operation === "set-status" && (!tool.status || !table.status))
      problems.push(`tool ${tool.tool}: set-status on table ${table.name}, which has no status`);
  }
  return problems;
}

/** Whether a table's keys are numbers (`book_id: integer`): records hold them as numbers, tables key them as text. */
export function keyIsNumeric(table: Table): boolean {
  const type = table.fields.find((f) => f.name === table.key)?.type;
  return type === "integer" || type === "number";
}
