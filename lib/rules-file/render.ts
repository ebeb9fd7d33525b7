// A service's rules in plain sentences (`envscale rules`, envs/<domain>/rules.md): what each tool
// acts on, what it requires, what it changes and what it answers, each rule numbered as a rules
// file names it (`requires.2`, `effects.1`) and with its source, so that a person can read what was
// derived and correct it.
import type { DomainRules, RuledTool } from "../contracts/domain-rules.ts";
import type { Condition, Effect, Place, Requirement, Rule, ServiceModel, ValueExpr } from "../contracts/tool-rules.ts";

/** `line.customer_id→customers.payment_methods`: a place reached from the record a tool acts on. */
export function placeText(place: Place, subject: string): string {
  const where = place.root?.where?.map((w) => `${w.field} = ${valueText(w.value, subject).replaceAll("`", "")}`).join(", ");
  const start = place.root
    ? where
      ? `${place.root.table}[${where}]`
      : place.root.key
        ? `${place.root.table}[${valueText(place.root.key, subject)}]`
        : place.root.table
    : subject;
  const hops = place.hops.map((hop) => (hop.back ? `←${hop.table}.${hop.field}` : `.${hop.field}→${hop.table}`)).join("");
  const path = place.path.map((part) => `.${part}`).join("");
  const key = place.key ? `[${valueText(place.key, subject).replaceAll("`", "")}]` : "";
  return `\`${start}${hops}${path}${key}\``;
}

/** A value in words: `the argument plan_id`, `"active"`, `today`, `line.amount_due`. */
export function valueText(value: ValueExpr, subject: string): string {
  switch (value.kind) {
    case "parameter":
      return `the argument \`${[value.name, ...(value.path ?? [])].join(".")}\`${value.fallback ? ` (else ${valueText(value.fallback, subject)})` : value.otherwise === undefined ? "" : ` (else ${JSON.stringify(value.otherwise)})`}`;
    case "constant":
      return JSON.stringify(value.value);
    case "today":
      return "today's date";
    case "now": {
      const at = value.unixSeconds
        ? "the current time (Unix seconds)"
        : value.unixMillis
          ? "the current time (Unix milliseconds)"
          : value.utcOffset
            ? `the current time at UTC${value.utcOffset}`
            : value.wholeSeconds
              ? "the current time (whole seconds)"
              : "the current time";
      return value.offsetSeconds ? `${at} + ${value.offsetSeconds} s` : at;
    }
    case "read":
      return `${placeText(value.place, subject)}${value.after ? " (after the changes)" : ""}`;
    case "fresh-key":
      return `a new key of ${value.table}`;
    case "new-key":
      return value.number ? "the number of the new record's key" : "the new record's key";
    case "object":
      return `{${Object.entries(value.fields)
        .map(([field, v]) => `${field}: ${valueText(v, subject)}`)
        .join(", ")}}`;
    case "arith":
      if (value.op === "min" || value.op === "max")
        return `${value.op}(${valueText(value.left, subject)}, ${valueText(value.right, subject)})`;
      return `(${valueText(value.left, subject)} ${value.op} ${valueText(value.right, subject)})`;
    case "aggregate": {
      const where = value.where.map((w) => `${w.field} ${w.not ? "≠" : "="} ${valueText(w.value, subject)}`).join(" and ");
      const what =
        value.op === "count" ? `the number of ${value.table} records` : `the sum of ${value.field ?? "?"} over ${value.table} records`;
      return where ? `${what} where ${where}` : what;
    }
    case "item":
      return value.path?.length ? `the element's ${value.path.join(".")}` : "the element";
    case "inserted":
      return "the key of the record just inserted";
    case "next":
      return `the next number of ${placeText(value.counter, subject)}${value.prefix ? ` prefixed "${value.prefix}"` : ""}`;
    case "concat":
      return value.parts.map((part) => valueText(part, subject)).join(" + ");
    case "lookup":
      return `${value.table}[${valueText(value.key, subject)}].${value.path.join(".")}`;
    case "elements":
      return `each element of ${valueText(value.of, subject)} with ${Object.entries(value.fields)
        .map(([field, v]) => `${field} = ${valueText(v, subject)}`)
        .join(", ")}`;
    case "element":
      return `the ${value.path.join(".")} of the element of ${valueText(value.of, subject)} whose ${[{ field: value.field, equals: value.equals }, ...(value.and ?? [])].map((m) => `${m.field} is ${valueText(m.equals, subject)}`).join(" and ")}`;
    case "sum":
      return `the sum of ${value.path.join(".")} over ${valueText(value.of, subject)}`;
    case "bump":
      return `${placeText(value.place, subject)} with its number ${value.by < 0 ? "less" : "plus"} ${Math.abs(value.by)}`;
    case "digits":
      return `${valueText(value.value, subject)} in ${value.digits} digits`;
    case "fixed":
      return `${valueText(value.value, subject)} with ${value.decimals} decimals`;
    case "match": {
      const where = value.where.map((w) => `${w.field} = ${valueText(w.value, subject)}`).join(" and ");
      return `the ${value.field ?? "key"} of the ${value.table} record whose ${where}`;
    }
  }
}

const opWords: Record<Condition["op"], string> = {
  "==": "equals",
  "!=": "differs from",
  "<": "is less than",
  "<=": "is at most",
  ">": "is more than",
  ">=": "is at least",
  given: "is given",
  absent: "is not given",
  in: "is one of",
  "not-in": "is not one of",
};

export function conditionText(condition: Condition, subject: string): string {
  const left = valueText(condition.left, subject);
  return condition.right ? `${left} ${opWords[condition.op]} ${valueText(condition.right, subject)}` : `${left} ${opWords[condition.op]}`;
}

const list = (values: readonly (string | number)[]) => values.map((v) => JSON.stringify(v)).join(", ");

export function requirementText(rule: Requirement, subject: string): string {
  switch (rule.kind) {
    case "status-in":
      return `${placeText(rule.place, subject)} is one of ${list(rule.values)}`;
    case "parameter-in":
      return `the argument \`${rule.parameter}\` is one of ${list(rule.values)}`;
    case "positive":
      return `the argument \`${rule.parameter}\` is positive`;
    case "at-most":
      return `the argument \`${rule.parameter}\` is at most ${valueText(rule.limit, subject)}`;
    case "below":
      return `${placeText(rule.place, subject)} is below ${rule.limit}`;
    case "entry-of":
      return `the argument \`${rule.parameter}\` names an entry of ${placeText(rule.place, subject)}${rule.keyField ? ` (by its ${rule.keyField})` : ""}`;
    case "record-exists":
      return `the argument \`${rule.parameter}\` names a record of ${rule.table}`;
    case "elements-of":
      return `every id in the argument \`${rule.parameter}\` names an element of ${placeText(rule.place, subject)} (by its ${rule.field})`;
    case "slot-open":
      return `the list at ${valueText(rule.key, subject)} of ${placeText(rule.place, subject)} holds ${valueText(rule.value, subject)}`;
    case "compare":
      return conditionText(rule.condition, subject);
    case "covers":
      return `the entry the argument \`${rule.parameter}\` names in ${placeText(rule.place, subject)}, when it keeps a ${rule.field}, holds at least ${valueText(rule.amount, subject)}`;
  }
}

const fieldsText = (fields: Record<string, ValueExpr>, subject: string) =>
  Object.entries(fields)
    .map(([field, value]) => `${field} = ${valueText(value, subject)}`)
    .join(", ");

export function effectText(rule: Effect, subject: string): string {
  switch (rule.kind) {
    case "set":
      return `sets ${placeText(rule.place, subject)} to ${valueText(rule.value, subject)}`;
    case "discard":
      return `removes the ${subject} from its table`;
    case "unset":
      return `removes ${placeText(rule.place, subject)}`;
    case "shift-date":
      return `moves the date ${placeText(rule.place, subject)} ${rule.days} day${Math.abs(rule.days) === 1 ? "" : "s"} later`;
    case "add":
      return `${rule.sign === 1 ? "adds" : "subtracts"} ${valueText(rule.amount, subject)} ${rule.sign === 1 ? "to" : "from"} ${placeText(rule.place, subject)}`;
    case "append":
      return `appends {${fieldsText(rule.element, subject)}} to ${placeText(rule.place, subject)}`;
    case "mirror":
      return `appends, for each element of ${placeText(rule.place, subject)} whose ${rule.match.field} is ${JSON.stringify(rule.match.value)}, a copy with ${fieldsText(rule.set, subject)}${rule.negate ? ` and ${rule.negate} negated` : ""}${rule.credit ? `, crediting its ${rule.credit.amountField} back to the ${rule.credit.balanceField} of the entry of ${placeText(rule.credit.place, subject)} its ${rule.credit.entryField} names` : ""}`;
    case "entry-add":
      return `${rule.sign === 1 ? "adds" : "subtracts"} ${valueText(rule.amount, subject)} ${rule.sign === 1 ? "to" : "from"} the ${rule.field} of the entry the argument \`${rule.parameter}\` names in ${placeText(rule.place, subject)}, when it keeps one`;
    case "entry-set":
      return `sets, on the entry the argument \`${rule.parameter}\` names in ${placeText(rule.place, subject)}, ${fieldsText(rule.set, subject)}`;
    case "set-each":
      return `sets, on each ${rule.of ? `record of ${rule.of.table} whose ${rule.of.field} is the key of` : "element of"} ${placeText(rule.place, subject)}${rule.only ? ` whose ${rule.only.field} is ${rule.only.op === "in" ? "" : "not "}one of ${rule.only.values.map((v) => JSON.stringify(v)).join(", ")}` : ""}, ${fieldsText(rule.set, subject)}`;
    case "link":
      return `appends the new record's key to ${placeText(rule.place, subject)}`;
    case "add-values":
      return `adds ${rule.each ? `each element of the argument \`${rule.each}\`` : valueText(rule.value, subject)} to ${placeText(rule.place, subject)}${rule.unique ? " (unless already there)" : ""}`;
    case "remove-values":
      return `removes from ${placeText(rule.place, subject)} the elements ${rule.field ? `whose ${rule.field} is` : "equal to"} one of ${valueText(rule.values, subject)}`;
    case "put":
      return `puts into ${placeText(rule.place, subject)} a new entry (${keyText(rule.key)}) with ${fieldsText(rule.fields, subject)}`;
    case "insert":
      return `inserts ${rule.each ? `for each element of the argument \`${rule.each}\`${rule.times ? ` (one per unit of its ${rule.times.join(".")})` : ""}` : ""} a record into ${rule.table} (${keyText(rule.key)}) with ${fieldsText(rule.fields, subject)}${(rule.alongside ?? []).map((a) => `, and with it a record into ${a.table} (${keyText(a.key)}) with ${fieldsText(a.fields, subject)}`).join("")}`;
    case "slot-take":
      return `takes ${valueText(rule.value, subject)} out of the list at ${valueText(rule.key, subject)} of ${placeText(rule.place, subject)}`;
    case "set-named":
      return `sets, on each record of ${rule.table} the argument \`${rule.each}\` names, ${Object.entries(rule.fields)
        .map(([field, v]) => `${field} = ${valueText(v, subject)}`)
        .join(
          ", ",
        )}${rule.append ? `, and appends to its ${rule.append.path.join(".")} an entry with ${fieldsText(rule.append.element, subject)}` : ""}`;
    case "add-each": {
      const records = rule.matching
        ? `each record of ${rule.matching.table} with ${rule.matching.where.map((w) => `${w.field} = ${valueText(w.value, subject)}`).join(" and ")}, for every element of ${placeText(rule.place, subject)}`
        : rule.named
          ? `each record of ${rule.named.table} an element of ${rule.list ? `the argument \`${rule.list}\`` : placeText(rule.place, subject)} names by its ${rule.named.field}`
          : `each record of ${rule.of?.table} whose ${rule.of?.field} is the key of ${placeText(rule.place, subject)}`;
      const entry = rule.entry
        ? `, and records for each an entry in ${rule.entry.table} (${keyText(rule.entry.key)}) with ${fieldsText(rule.entry.fields, subject)}${rule.entry.after ? `, ${rule.entry.after} = the number it leaves` : ""}`
        : "";
      return `${rule.sign === 1 ? "adds" : "subtracts"} ${valueText(rule.amount, subject)} ${rule.sign === 1 ? "to" : "from"} the ${rule.path.join(".")} of ${records}${rule.set ? `, setting ${fieldsText(rule.set, subject)}` : ""}${rule.atLeast !== undefined ? `; refused when that leaves less than ${rule.atLeast}` : ""}${entry}`;
    }
    case "slot-release":
      return `puts ${valueText(rule.value, subject)} back into the list at ${valueText(rule.key, subject)} of ${placeText(rule.place, subject)}`;
    case "days":
      return `keeps one entry of ${placeText(rule.place, subject)}${rule.only ? ` whose ${rule.only.field} is ${JSON.stringify(rule.only.value)}` : ""} per day (by ${rule.dateField}) from ${valueText(rule.from, subject)} until ${valueText(rule.to, subject)}`;
  }
}

function keyText(key: {
  prefix: string;
  digits: number;
  sequential: boolean;
  counter?: Place;
  formula?: ValueExpr;
  encoded?: string;
}): string {
  if (key.formula) return `key ${valueText(key.formula, "record")}`;
  if (key.counter) return `key from the counter ${placeText(key.counter, "record")}${key.prefix ? ` prefixed "${key.prefix}"` : ""}`;
  const text = `key "${key.prefix}" and ${key.digits} digits, ${key.sequential ? "the next free number" : "a new number"}`;
  return key.encoded ? `${text}, written in ${key.encoded}` : text;
}

const isRequirement = (rule: Rule["rule"]): rule is Requirement =>
  [
    "status-in",
    "parameter-in",
    "positive",
    "at-most",
    "below",
    "entry-of",
    "record-exists",
    "elements-of",
    "slot-open",
    "compare",
    "covers",
  ].includes(rule.kind);

/** One rule in a sentence, with its conditions, its source and the words it came from. */
export function ruleText(rule: Rule, subject: string): string {
  const said = isRequirement(rule.rule) ? requirementText(rule.rule, subject) : effectText(rule.rule as Effect, subject);
  const when = rule.when?.length ? ` — only when ${rule.when.map((c) => conditionText(c, subject)).join(" and ")}` : "";
  return `${said}${when}. [${rule.source}] ${rule.text ? `“${rule.text}”` : ""}`.trimEnd();
}

const returnWords: Record<ServiceModel["returns"], string> = {
  record: "the record",
  key: "the record's key",
  records: "the matching records",
  summaries: "a summary of each matching record",
  mapping: "a mapping of names to keys",
  message: "a message",
  nothing: "nothing",
  number: "a number",
};

/** What the tool acts on and answers, in one sentence. */
export function serviceText(service: ServiceModel): string {
  const key = service.entry
    ? ` holding the entry of ${service.entry.path.join(".")} that \`${service.keyParameter}\` names`
    : service.keyParameter
      ? ` named by \`${service.keyParameter}\``
      : "";
  const table = service.table ?? "?";
  const acts =
    service.kind === "utility"
      ? `is a utility (${service.utility ?? "stateless"}) that reads no record`
      : service.kind === "find"
        ? `finds a record of ${table}`
        : service.kind === "get"
          ? `reads one record of ${table}${key}`
          : service.kind === "list"
            ? `lists records of ${table}`
            : service.kind === "change"
              ? `changes one record of ${table}${key}`
              : `creates a record of ${table}${service.newKey ? ` (${keyText(service.newKey)})` : ""}`;
  const match = service.match.length
    ? `, matching ${service.match
        .map(
          (m) =>
            `\`${m.parameter}\` ${m.mode === "equal" ? "equal to" : m.mode === "contains" ? "contained in" : "words in"} ${m.path.length ? `its ${m.path.join(".")}` : "its text"}${m.via ? ` (of a ${m.via.table} record whose ${m.via.field} is its key)` : ""}`,
        )
        .join(" and ")}`
    : "";
  const fields = service.fields && Object.keys(service.fields).length ? `, with ${fieldsText(service.fields, "new")}` : "";
  const summary = service.summary?.length ? ` (${service.summary.join(", ")})` : "";
  return `It ${acts}${match}${fields}; it answers ${returnWords[service.returns]}${summary}.`;
}

/** The record a tool's places start from, named as the table's entity (`line`, `bill`). */
function subjectOf(tool: RuledTool, entities: ReadonlyMap<string, string>): string {
  const table = tool.service.table;
  return ((table && entities.get(table)) ?? table ?? "record").replaceAll(" ", "_");
}

/** One tool's rules, numbered as a rules file names them. */
export function renderTool(tool: RuledTool, entities: ReadonlyMap<string, string> = new Map()): string {
  const subject = subjectOf(tool, entities);
  const lines = [`## ${tool.tool}`, "", `${tool.access === "write" ? "Writes" : "Reads"}. ${serviceText(tool.service)}`, ""];
  const { requires, effects } = tool.service;
  if (requires.length === 0 && effects.length === 0) lines.push("No requirements, no effects.");
  else if (requires.length === 0) lines.push("No requirements.");
  requires.forEach((rule, i) => {
    lines.push(`- requires.${i + 1}: ${ruleText(rule, subject)}`);
  });
  if (effects.length === 0 && requires.length > 0) lines.push("- no effects");
  effects.forEach((rule, i) => {
    lines.push(`- effects.${i + 1}: ${ruleText(rule, subject)}`);
  });
  return lines.join("\n");
}

/**
 * A domain's rules as Markdown: the clock, then each tool. `entities` names each table's records
 * (`lines` → `line`), read from the domain's schema.
 */
export function renderRules(rules: DomainRules, entities: ReadonlyMap<string, string> = new Map()): string {
  const head = [
    `# ${rules.domain}: what each tool does`,
    "",
    `Clock: ${rules.clock ?? "not set by the service's texts (the run's default)"}.`,
    "Each rule's number (`requires.2`, `effects.1`) is how a rules file (`--rules FILE`) replaces or removes it;",
    "[source] says where it came from (name, description, policy, data, schema, model, user).",
  ];
  const problems = (rules.problems ?? []).map((p) => `- ${p.tool}: no rules derived: ${p.problem}`);
  const tools = rules.tools.map((tool) => renderTool(tool, entities));
  return `${[...head, ...(problems.length ? ["", ...problems] : []), ...tools.flatMap((t) => ["", t])].join("\n")}\n`;
}
