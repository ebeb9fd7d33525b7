// The body of one tool function, by operation kind: a writer per kind, all written from the same
// context (the tool's model, its table, how arguments and records are spelled in code). Every
// body refuses bad calls with \`fail\`/\`ensure\`: anticipated rejections, never crashes.
import type { DomainSchema, Table, ToolModel } from "../contracts/domain-schema.ts";
import type { ToolSpec } from "../contracts/tool-spec.ts";
import { snake as snakeName } from "../domain-model/words.ts";
import { type BodyContext, bodyContext } from "./body-context.ts";
import { prop, q } from "./code-text.ts";

/** The function body of one tool. */
export function body(model: ToolModel, schema: DomainSchema, spec: ToolSpec | undefined, helpers: Set<string>): string[] {
  const c = bodyContext(model, schema, spec, helpers);
  WRITERS[model.operation](c);
  return c.lines;
}

/** get: one record by its key, its owner checked. */
function readOne(c: BodyContext): void {
  const { tables, table, rows, entity, arg, lines, keyParam, references, ownership } = c;
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
}

/** list, lookup: the records matching the arguments (references, fields, bounds, text, folder), sorted by key. */
function readMany(c: BodyContext): void {
  const { table, rows, entity, by, arg, lines, declaredList, references, referenceChecks, helpers, model } = c;
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
    return;
  }
  const limit = by("limit")[0];
  const limited = limit ? `${arg(limit.name)} === undefined ? rows : rows.slice(0, Math.max(0, ${arg(limit.name)}))` : "rows";
  lines.push(declaredList ? `return ${limited};` : `const items = ${limited};`);
  if (!declaredList) lines.push(`return { ${table.name}: items, count: items.length };`);
}

/** create, upsert: a new record (made-up id, or a free natural key), references checked, counters drawn down. */
function insert(c: BodyContext): void {
  const { tables, table, rows, entity, arg, lines, keyParam, references, referenceChecks, storedFields, helpers, spec, model } = c;
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
}

/** update: the given fields of one record, refused in a terminal state. */
function change(c: BodyContext): void {
  const { table, rows, entity, arg, lines, keyParam, ownership, storedFields, terminalGuard } = c;
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
}

/** set-status: the record moves to its new state, refused from the states it may not leave. */
function moveStatus(c: BodyContext): void {
  const { table, rows, entity, arg, lines, keyParam, ownership, storedFields, model } = c;
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
  for (const p of storedFields()) lines.push(`if (${arg(p.name)} !== undefined) ${prop("record", p.field as string)} = ${arg(p.name)};`);
  lines.push("return record;");
}

/** delete: one record by key (with the records that belonged to it) or by matching fields. */
function remove(c: BodyContext): void {
  const { table, rows, entity, by, arg, lines, keyParam, references, referenceChecks, ownership, helpers, schema } = c;
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
}

/** transfer: an amount between two records of one table, both sides in the ledger when there is one. */
function transfer(c: BodyContext): void {
  const { tables, table, rows, entity, by, arg, lines, helpers, model } = c;
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
}

/** move: a record (and, for paths, everything under it) re-keyed to a free key. */
function rekey(c: BodyContext): void {
  const { table, rows, entity, by, arg, lines, helpers } = c;
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
}

const WRITERS: Record<ToolModel["operation"], (c: BodyContext) => void> = {
  get: readOne,
  list: readMany,
  lookup: readMany,
  create: insert,
  upsert: insert,
  update: change,
  "set-status": moveStatus,
  delete: remove,
  transfer: transfer,
  move: rekey,
};

function safeIdent(entity: string): string {
  const id = entity.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ""));
  return /^[A-Za-z_$]/.test(id) ? `${id}Record` : `r${id}`;
}
