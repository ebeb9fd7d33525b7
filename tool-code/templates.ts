// Offline code generation: one TypeScript function per tool, from a template per operation kind.
//
// Tables are objects keyed by their key field. Every template refuses bad calls with `fail`/`ensure`
// (unknown ids, broken preconditions): those are anticipated rejections, never crashes.

import type { DomainSchema, Field, Table, ToolModel } from "../contracts/domain-schema.ts";
import type { ToolSpec } from "../contracts/tool-spec.ts";
import { TERMINAL_STATES } from "../domain-model/lexicon.ts";
import { snake as snakeName } from "../domain-model/words.ts";

const q = (value: unknown) => JSON.stringify(value);
/** A property access that is valid for any field name: `r.order_id` or `r["2fa"]`. */
const prop = (object: string, name: string) => (/^[A-Za-z_$][\w$]*$/.test(name) ? `${object}.${name}` : `${object}[${q(name)}]`);
const typeName = (table: Table) =>
  table.entity
    .split(/[^a-zA-Z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]?.toUpperCase() + w.slice(1))
    .join("")
    .replace(/^[0-9]/, "T$&")
    // `Row`: a record type must not be named like a global (`Function`, `Date`, `Map`).
    .concat("Row");

function tsType(field: Pick<Field, "type" | "enum">): string {
  if (field.enum) return field.enum.map((v) => q(v)).join(" | ");
  switch (field.type) {
    case "integer":
    case "number":
      return "number";
    case "object":
      return "Record<string, unknown>";
    case "array":
      return "unknown[]";
    default:
      return field.type;
  }
}

/** Helpers a module may need, each emitted only when a tool uses it. */
const HELPERS: Record<string, string> = {
  same: `/** Equal, ignoring case for text; an id given as a number matches the same id as text. */
function same(a: unknown, b: unknown): boolean {
  if (typeof a === "string" && typeof b === "string") return a.toLowerCase() === b.toLowerCase();
  if (typeof a === "number" || typeof b === "number") return a !== null && b !== null && String(a) === String(b);
  return a === b;
}`,
  atLeast: `/** a ≥ bound, comparing dates by the bound's precision (\`2025-01-05T10:00\` ≥ \`2025-01-05\`). */
function atLeast(a: unknown, bound: unknown): boolean {
  if (typeof a === "string" && typeof bound === "string") return a.slice(0, bound.length) >= bound;
  return typeof a === "number" && typeof bound === "number" && a >= bound;
}`,
  atMost: `/** a ≤ bound, comparing dates by the bound's precision. */
function atMost(a: unknown, bound: unknown): boolean {
  if (typeof a === "string" && typeof bound === "string") return a.slice(0, bound.length) <= bound;
  return typeof a === "number" && typeof bound === "number" && a <= bound;
}`,
  mentions: `/** Whether any text field of a record contains the words of a query. */
function mentions(record: object, query: string): boolean {
  const text = Object.values(record)
    .filter((v) => typeof v === "string")
    .join(" ")
    .toLowerCase();
  return query
    .toLowerCase()
    .split(/\\s+/)
    .filter(Boolean)
    .every((word) => text.includes(word));
}`,
  parentOf: `/** The folder a path is in (\`/a/b.txt\` → \`/a\`; top-level entries → \`/\`). */
function parentOf(path: string): string {
  const cut = path.replace(/\\/+$/, "").lastIndexOf("/");
  return cut <= 0 ? "/" : path.slice(0, cut);
}`,
  under: `/** Whether a path is inside a folder: directly, or anywhere below it. */
function under(path: string, folder: string, direct: boolean): boolean {
  const base = folder === "/" ? "/" : \`\${folder.replace(/\\/+$/, "")}/\`;
  if (!path.startsWith(base) || path === base) return false;
  return !direct || !path.slice(base.length).includes("/");
}`,
  nextNumber: `/** The next integer key of a table keyed by numbers. */
function nextNumber(rows: object): string {
  let last = 0;
  for (const key of Object.keys(rows)) if (Number(key) > last) last = Number(key);
  return String(Math.floor(last) + 1);
}`,
  money: `/** Amounts kept to cents, so repeated transfers do not drift. */
function money(value: number): number {
  return Math.round(value * 100) / 100;
}`,
};

interface Emitted {
  code: string;
  helpers: Set<string>;
}

/** The function body of one tool. */
function body(model: ToolModel, schema: DomainSchema, spec: ToolSpec | undefined, helpers: Set<string>): string[] {
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

  switch (model.operation) {
    case "get": {
      const key = keyParam ? arg(keyParam.name) : arg(table.key);
      lines.push(`const record = requireRecord(${rows}, ${key}, ${q(entity)});`);
      ownership("record");
      for (const ref of references) {
        if (!table.fields.some((f) => f.name === ref.field && f.references === ref.table)) {
          const other = tables.get(ref.table as string) as Table;
          lines.push(`requireRecord(${prop("db", other.name)}, ${arg(ref.name)}, ${q(other.entity)});`);
        }
      }
      lines.push("return record;");
      break;
    }
    case "list":
    case "lookup": {
      referenceChecks(true);
      const conditions: string[] = [];
      for (const ref of references) {
        if (table.fields.some((f) => f.name === ref.field)) {
          helpers.add("same");
          conditions.push(`(${arg(ref.name)} === undefined || same(${prop("r", ref.field as string)}, ${arg(ref.name)}))`);
        }
      }
      for (const p of by("field")) {
        helpers.add("same");
        conditions.push(`(${arg(p.name)} === undefined || same(${prop("r", p.field as string)}, ${arg(p.name)}))`);
      }
      for (const p of by("lower-bound")) {
        helpers.add("atLeast");
        conditions.push(`(${arg(p.name)} === undefined || atLeast(${prop("r", p.field as string)}, ${arg(p.name)}))`);
      }
      for (const p of by("upper-bound")) {
        helpers.add("atMost");
        conditions.push(`(${arg(p.name)} === undefined || atMost(${prop("r", p.field as string)}, ${arg(p.name)}))`);
      }
      for (const p of by("query")) {
        helpers.add("mentions");
        conditions.push(`(${arg(p.name)} === undefined || mentions(r, String(${arg(p.name)})))`);
      }
      const parent = by("parent")[0];
      if (parent) {
        helpers.add("under");
        const folder = arg(parent.name);
        lines.push(
          `ensure(${folder} === undefined || ${folder} === "/" || ${rows}[${folder}] !== undefined || Object.keys(${rows}).some((p) => p.startsWith(\`\${${folder}}/\`)), \`no such ${entity}: \${${folder}}\`);`,
        );
        conditions.push(`(${folder} === undefined || under(${prop("r", table.key)}, ${folder}, ${by("query").length === 0}))`);
      }
      const filter = conditions.length > 0 ? `.filter((r) => ${conditions.join(" && ")})` : "";
      lines.push(
        `const rows = Object.values(${rows} ?? {})${filter}.sort((a, b) => (${prop("a", table.key)} < ${prop("b", table.key)} ? -1 : 1));`,
      );
      if (model.operation === "lookup") {
        lines.push(`const match = rows[0];`);
        lines.push(`if (!match) fail(\`no ${entity} matches \${JSON.stringify(args)}\`);`);
        lines.push("return match;");
        break;
      }
      const limit = by("limit")[0];
      const limited = limit ? `${arg(limit.name)} === undefined ? rows : rows.slice(0, Math.max(0, ${arg(limit.name)}))` : "rows";
      lines.push(declaredList ? `return ${limited};` : `const items = ${limited};`);
      if (!declaredList) lines.push(`return { ${table.name}: items, count: items.length };`);
      break;
    }
    case "create":
    case "upsert": {
      referenceChecks(true);
      const debits = model.debits ?? [];
      for (const debit of debits) {
        const other = tables.get(debit.table) as Table;
        const ref = references.find((r) => r.table === debit.table);
        if (!ref) continue;
        lines.push(`ensure(${arg(debit.parameter)} > 0, ${q(`${debit.parameter} must be positive`)});`);
        lines.push(`const ${safeIdent(other.entity)} = requireRecord(${prop("db", other.name)}, ${arg(ref.name)}, ${q(other.entity)});`);
        lines.push(
          `ensure(${prop(safeIdent(other.entity), debit.field)} >= ${arg(debit.parameter)}, \`not enough ${debit.field.replaceAll("_", " ")}: ${other.entity} \${${arg(ref.name)}} has \${${prop(safeIdent(other.entity), debit.field)}}, needs \${${arg(debit.parameter)}}\`);`,
        );
      }
      const numeric = ["integer", "number"].includes(table.fields.find((f) => f.name === table.key)?.type ?? "");
      if (table.keyKind === "id" && model.operation === "create" && numeric) {
        helpers.add("nextNumber");
        lines.push(`const key = nextNumber(${rows} ?? {});`);
      } else if (table.keyKind === "id" && model.operation === "create") {
        lines.push(`const key = newId(${q(table.idPrefix)});`);
      } else if (!keyParam && !(spec?.parameters.properties as Record<string, unknown> | undefined)?.[table.key]) {
        // A naturally keyed table, but this tool is given no key: it makes one up.
        lines.push(`const key = ${table.key === "path" ? `"/" + newId(${q(table.idPrefix)})` : `newId(${q(table.idPrefix)})`};`);
      } else {
        const keyArg = keyParam ? arg(keyParam.name) : arg(table.key);
        lines.push(`const key = String(${keyArg});`);
        if (table.key === "path") {
          helpers.add("parentOf");
          lines.push(`ensure(key.startsWith("/"), \`a path must start with /: \${key}\`);`);
          lines.push(`ensure(parentOf(key) === "/" || ${rows}[parentOf(key)] !== undefined, \`folder \${parentOf(key)} does not exist\`);`);
        }
        if (model.operation === "create") lines.push(`ensure(${rows}[key] === undefined, \`${entity} \${key} already exists\`);`);
      }
      const assignments: string[] = [`${q(table.key)}: ${numeric ? "Number(key)" : "key"}`];
      const given = new Set<string>([table.key]);
      for (const ref of references) {
        if (ref.field && table.fields.some((f) => f.name === ref.field)) {
          assignments.push(`${q(ref.field)}: ${arg(ref.name)} ?? null`);
          given.add(ref.field);
        }
      }
      for (const p of storedFields()) {
        if (given.has(p.field as string)) continue;
        assignments.push(`${q(p.field)}: ${arg(p.name)} ?? null`);
        given.add(p.field as string);
      }
      if (table.status && !given.has(table.status.field)) {
        assignments.push(`${q(table.status.field)}: ${q(table.status.initial)}`);
        given.add(table.status.field);
      }
      if (table.fields.some((f) => f.name === "created_at") && !given.has("created_at")) {
        assignments.push(`"created_at": ${model.operation === "upsert" ? `${rows}[key]?.created_at ?? now()` : "now()"}`);
        given.add("created_at");
      }
      for (const field of table.fields) {
        if (given.has(field.name)) continue;
        if (model.operation === "upsert")
          assignments.push(
            `${q(field.name)}: ${rows}[key]?.${/^[A-Za-z_$][\w$]*$/.test(field.name) ? field.name : `[${q(field.name)}]`} ?? null`,
          );
        else assignments.push(`${q(field.name)}: null`);
      }
      lines.push(`const record = { ${assignments.join(", ")} };`);
      lines.push(`${rows}[key] = record;`);
      for (const debit of debits) {
        const other = tables.get(debit.table) as Table;
        if (!references.some((r) => r.table === debit.table)) continue;
        const owner = safeIdent(other.entity);
        lines.push(`${prop(owner, debit.field)} = ${prop(owner, debit.field)} - ${arg(debit.parameter)};`);
      }
      lines.push("return record;");
      break;
    }
    case "update": {
      const key = keyParam ? arg(keyParam.name) : arg(table.key);
      lines.push(`const record = requireRecord(${rows}, ${key}, ${q(entity)});`);
      ownership("record");
      terminalGuard("record");
      const fields = storedFields();
      if (fields.length > 0) {
        lines.push(
          `ensure(${fields.map((p) => `${arg(p.name)} !== undefined`).join(" || ")}, "nothing to change: give at least one of ${fields.map((p) => p.name).join(", ")}");`,
        );
      }
      for (const p of fields) lines.push(`if (${arg(p.name)} !== undefined) ${prop("record", p.field as string)} = ${arg(p.name)};`);
      lines.push("return record;");
      break;
    }
    case "set-status": {
      const key = keyParam ? arg(keyParam.name) : arg(table.key);
      const status = table.status as NonNullable<Table["status"]>;
      lines.push(`const record = requireRecord(${rows}, ${key}, ${q(entity)});`);
      ownership("record");
      const refused = model.status?.refusedFrom ?? [];
      if (refused.length > 0) {
        lines.push(
          `ensure(!${q(refused)}.includes(${prop("record", status.field)}), \`${entity} \${${key}} is \${${prop("record", status.field)}}\`);`,
        );
      }
      lines.push(`${prop("record", status.field)} = ${q(model.status?.to)};`);
      for (const p of storedFields())
        lines.push(`if (${arg(p.name)} !== undefined) ${prop("record", p.field as string)} = ${arg(p.name)};`);
      lines.push("return record;");
      break;
    }
    case "delete": {
      if (keyParam) {
        const key = arg(keyParam.name);
        lines.push(`const record = requireRecord(${rows}, ${key}, ${q(entity)});`);
        ownership("record");
        if (table.key === "path") {
          helpers.add("under");
          lines.push(
            `ensure(!Object.keys(${rows}).some((p) => under(p, String(${key}), false)), \`${entity} \${${key}} is a folder that is not empty\`);`,
          );
        }
        lines.push(`delete ${rows}[String(${key})];`);
        // Records that belonged to it go with it, so no reference dangles.
        for (const other of schema.tables) {
          for (const fk of other.fields.filter((f) => f.references === table.name)) {
            lines.push(
              `for (const [k, r] of Object.entries(${prop("db", other.name)} ?? {})) if (String(${prop("r", fk.name)}) === String(${key})) delete ${prop("db", other.name)}[k];`,
            );
          }
        }
        lines.push(`return { deleted: ${key} };`);
      } else {
        referenceChecks(false);
        helpers.add("same");
        const conditions = [
          ...references
            .filter((r) => table.fields.some((f) => f.name === r.field))
            .map((r) => `same(${prop("r", r.field as string)}, ${arg(r.name)})`),
          ...by("field").map((p) => `(${arg(p.name)} === undefined || same(${prop("r", p.field as string)}, ${arg(p.name)}))`),
        ];
        lines.push(`const found = Object.entries(${rows} ?? {}).find(([, r]) => ${conditions.join(" && ") || "true"});`);
        lines.push(`if (!found) fail(\`no ${entity} matches \${JSON.stringify(args)}\`);`);
        lines.push(`delete ${rows}[found[0]];`);
        lines.push(`return { deleted: found[0] };`);
      }
      break;
    }
    case "transfer": {
      helpers.add("money");
      const source = arg(by("source")[0]?.name ?? "from");
      const destination = arg(by("destination")[0]?.name ?? "to");
      const amountParam = by("amount")[0];
      const amount = arg(amountParam?.name ?? "amount");
      const counter = amountParam?.field ?? "balance";
      lines.push(`ensure(${source} !== ${destination}, "source and destination are the same ${entity}");`);
      lines.push(`ensure(${amount} > 0, "the amount must be positive");`);
      lines.push(`const from = requireRecord(${rows}, ${source}, ${q(entity)});`);
      lines.push(`const to = requireRecord(${rows}, ${destination}, ${q(entity)});`);
      if (table.status) {
        const blocked = table.status.values.filter((v) => v !== table.status?.initial && v !== "active");
        if (blocked.length > 0) {
          lines.push(
            `ensure(!${q(blocked)}.includes(${prop("from", table.status.field)}), \`${entity} \${${source}} is \${${prop("from", table.status.field)}}\`);`,
          );
          lines.push(
            `ensure(!${q(blocked)}.includes(${prop("to", table.status.field)}), \`${entity} \${${destination}} is \${${prop("to", table.status.field)}}\`);`,
          );
        }
      }
      lines.push(
        `ensure(${prop("from", counter)} >= ${amount}, \`insufficient ${counter.replaceAll("_", " ")}: ${entity} \${${source}} has \${${prop("from", counter)}}, needs \${${amount}}\`);`,
      );
      lines.push(`${prop("from", counter)} = money(${prop("from", counter)} - ${amount});`);
      lines.push(`${prop("to", counter)} = money(${prop("to", counter)} + ${amount});`);
      const ledger = model.ledger;
      if (ledger) {
        const ledgerTable = tables.get(ledger.table) as Table;
        const entry = (side: string, sign: string) => {
          const fields = new Map<string, string>([
            [ledgerTable.key, "id"],
            [ledger.reference, side],
          ]);
          if (ledger.amount) fields.set(ledger.amount, `${sign}${amount}`);
          if (ledger.date)
            fields.set(ledger.date, ledgerTable.fields.find((f) => f.name === ledger.date)?.format === "date" ? "today()" : "now()");
          if (ledger.memo) fields.set(snakeName(ledger.memo), `${arg(ledger.memo)} ?? null`);
          for (const field of ledgerTable.fields) if (!fields.has(field.name)) fields.set(field.name, "null");
          const record = [...fields].map(([name, value]) => `${q(name)}: ${value}`).join(", ");
          return `{ const id = newId(${q(ledgerTable.idPrefix)}); ${prop("db", ledgerTable.name)}[id] = { ${record} }; }`;
        };
        lines.push(entry(source, "-"), entry(destination, ""));
      }
      lines.push(
        `return { ${q(by("source")[0]?.name ?? "from")}: ${source}, ${q(by("destination")[0]?.name ?? "to")}: ${destination}, amount: ${amount}, source_${counter}: ${prop("from", counter)}, destination_${counter}: ${prop("to", counter)} };`,
      );
      break;
    }
    case "move": {
      const source = arg(by("source")[0]?.name ?? "source");
      const destination = arg(by("destination")[0]?.name ?? "destination");
      // Copies are taken before deleting: a deleted record's handle is no longer usable.
      lines.push(`const moved = { ...requireRecord(${rows}, ${source}, ${q(entity)}), ${q(table.key)}: ${destination} };`);
      lines.push(`ensure(${rows}[${destination}] === undefined, \`${entity} \${${destination}} already exists\`);`);
      if (table.key === "path") {
        helpers.add("parentOf");
        lines.push(`ensure(String(${destination}).startsWith("/"), \`a path must start with /: \${${destination}}\`);`);
        lines.push(`ensure(!String(${destination}).startsWith(\`\${${source}}/\`), "cannot move a folder into itself");`);
        lines.push(
          `ensure(parentOf(${destination}) === "/" || ${rows}[parentOf(${destination})] !== undefined, \`folder \${parentOf(${destination})} does not exist\`);`,
        );
        lines.push(`for (const [k, r] of Object.entries(${rows})) {`);
        lines.push(`  if (!k.startsWith(\`\${${source}}/\`)) continue;`);
        lines.push(`  const child = { ...r, ${q(table.key)}: ${destination} + k.slice(String(${source}).length) };`);
        lines.push(`  delete ${rows}[k];`);
        lines.push(`  ${rows}[${prop("child", table.key)}] = child;`);
        lines.push(`}`);
      }
      lines.push(`delete ${rows}[${source}];`);
      lines.push(`${rows}[${destination}] = moved;`);
      lines.push("return moved;");
      break;
    }
  }
  return lines;
}

function safeIdent(entity: string): string {
  const id = entity.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ""));
  return /^[A-Za-z_$]/.test(id) ? `${id}Record` : `r${id}`;
}

function argsType(spec: ToolSpec | undefined): string {
  const properties = (spec?.parameters.properties ?? {}) as Record<string, { type?: unknown; enum?: unknown[] }>;
  const required = new Set((spec?.parameters.required as string[] | undefined) ?? []);
  const entries = Object.entries(properties).map(([name, schema]) => {
    const type = Array.isArray(schema.enum)
      ? schema.enum.map((v) => q(v)).join(" | ")
      : tsType({
          type: (["string", "number", "integer", "boolean", "object", "array"].includes(String(schema.type))
            ? schema.type
            : "string") as Field["type"],
        });
    return `${/^[A-Za-z_$][\w$]*$/.test(name) ? name : q(name)}${required.has(name) ? "" : "?"}: ${type}`;
  });
  return `{ ${entries.join("; ")} }`;
}

/**
 * JavaScript names of tools: catalog names may hold `-` or start with a digit, sandbox tools are
 * identifiers (`get-order` → get_order, `3d_print` → _3d_print; clashes get a suffix).
 */
export function functionNames(names: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const taken = new Set<string>();
  for (const name of names) {
    let base = name.replace(/[^A-Za-z0-9_$]/g, "_");
    if (!/^[A-Za-z_$]/.test(base)) base = `_${base}`;
    let candidate = base;
    for (let i = 2; taken.has(candidate); i++) candidate = `${base}_${i}`;
    taken.add(candidate);
    out.set(name, candidate);
  }
  return out;
}

/** One tool's function, with its doc comment and what it does to the database. */
export function toolFunction(model: ToolModel, schema: DomainSchema, spec: ToolSpec | undefined, functionName: string): Emitted {
  const helpers = new Set<string>();
  const lines = body(model, schema, spec, helpers);
  const description = (spec?.description ?? "").replace(/\*\//g, "*\\/").replace(/\s+/g, " ").trim();
  const code = [
    "/**",
    ...(description ? [` * ${description}`, " *"] : []),
    ` * ${model.access}: ${model.summary.replace(/\*\//g, "*\\/")}`,
    " */",
    `export function ${functionName}(db: Db, args: ${argsType(spec)}) {`,
    ...lines.map((line) => `  ${line}`),
    "}",
  ].join("\n");
  return { code, helpers };
}

/** The record types and the database type of a domain. */
export function databaseTypes(schema: DomainSchema): string {
  const parts = schema.tables.map((table) => {
    const fields = table.fields.map(
      (f) => `  ${/^[A-Za-z_$][\w$]*$/.test(f.name) ? f.name : q(f.name)}: ${tsType(f)}${f.nullable ? " | null" : ""};`,
    );
    return `interface ${typeName(table)} {\n${fields.join("\n")}\n}`;
  });
  const db = schema.tables.map((t) => `  ${t.name}: Record<string, ${typeName(t)}>;`);
  return `${parts.join("\n\n")}\n\ninterface Db {\n${db.join("\n")}\n}`;
}

/** The runtime helpers a body uses. */
function runtimeImports(code: string): string[] {
  return ["ensure", "fail", "newId", "now", "requireRecord", "today"].filter((name) => new RegExp(`\\b${name}\\(`).test(code));
}

/** A whole tool module for a domain: imports, types, helpers, one function per tool. */
export function assembleModule(
  schema: DomainSchema,
  functions: readonly { tool: string; code: string; helpers?: Iterable<string> }[],
  header: string,
): string {
  const helpers = new Set<string>();
  for (const f of functions) for (const h of f.helpers ?? []) helpers.add(h);
  const tools = functions.map((f) => f.code).join("\n\n");
  const helperCode = [...helpers]
    .sort()
    .map((h) => HELPERS[h])
    .filter(Boolean)
    .join("\n\n");
  const imports = runtimeImports(`${tools}\n${helperCode}`);
  return [
    `// ${header}`,
    imports.length > 0 ? `import { ${imports.join(", ")} } from "envscale/runtime";` : "",
    "",
    databaseTypes(schema),
    ...(helperCode ? ["", helperCode] : []),
    "",
    tools,
    "",
  ].join("\n");
}

/** The whole module, written by templates. */
export function templateModule(schema: DomainSchema, specs: ReadonlyMap<string, ToolSpec>): string {
  const names = functionNames(schema.tools.map((t) => t.tool));
  const functions = schema.tools.map((model) => ({
    tool: model.tool,
    ...toolFunction(model, schema, specs.get(model.tool), names.get(model.tool) as string),
  }));
  return assembleModule(
    schema,
    functions,
    `Tools of domain "${schema.domain}", written by envscale's offline templates (one per operation kind).`,
  );
}
