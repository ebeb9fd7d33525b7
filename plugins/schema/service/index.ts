// A domain modelled on its data pack: the tables are the data's collections in their own shape,
// and each tool's rules come from its name, description and parameters, the policy, and the data's
// own examples (service/*.ts). Offline and deterministic; a model's schema, when one is asked for,
// is checked against the same data.
import type { DomainSchema, Field, Table, ToolModel } from "../../../lib/contracts/domain-schema.ts";
import type { DomainState } from "../../../lib/contracts/domain-state.ts";
import type { Effect, Requirement, ServiceModel } from "../../../lib/contracts/tool-rules.ts";
import type { ToolSpec } from "../../../lib/contracts/tool-spec.ts";
import { leaves, overlap } from "../../../lib/data-pack/places.ts";
import { inferTables } from "../../../lib/data-pack/tables.ts";
import { RuleContext } from "./context.ts";
import { deriveCreation } from "./creation.ts";
import { deriveEffects, targetStatus } from "./effects.ts";
import { deriveRequirements } from "./requirements.ts";
import { isKeyOf, subjectOf, utilityOf } from "./subject.ts";
import { sentencesOf, toolText } from "./tool-text.ts";

export interface ServicePack {
  data: DomainState;
  policy: string | null;
}

export function inferServiceSchema(domain: string, tools: readonly ToolSpec[], pack: ServicePack): DomainSchema {
  const tables = inferTables(pack.data);
  const byName = new Map(tables.map((t) => [t.name, t]));
  const policy = pack.policy ? sentencesOf(pack.policy) : [];
  const models = tools.map((spec) => modelTool(spec, tables, byName, pack.data, policy));
  return { domain, source: "data", tables, tools: models };
}

function modelTool(spec: ToolSpec, tables: Table[], byName: Map<string, Table>, data: DomainState, policy: string[]): ToolModel {
  const text = toolText(spec, policy);
  const subject = subjectOf(text, tables);
  const c = new RuleContext(text, subject, byName, data);
  const service: ServiceModel = {
    kind: subject.kind,
    ...(subject.utility ? { utility: subject.utility } : {}),
    ...(subject.table ? { table: subject.table.name } : {}),
    ...(subject.keyParameter ? { keyParameter: subject.keyParameter } : {}),
    match: [],
    returns: "record",
    requires: [],
    effects: [],
  };
  if (subject.kind === "change") {
    const to = targetStatus(c);
    deriveRequirements(c, to?.value ?? null);
    const allowed = c.requires.map((r) => r.rule).find((r): r is Extract<Requirement, { kind: "status-in" }> => r.kind === "status-in");
    deriveEffects(c, to, allowed?.values ?? null);
  } else if (subject.kind === "create") {
    deriveRequirements(c, null);
    const made = deriveCreation(c);
    if (made) {
      service.newKey = made.newKey;
      service.fields = made.fields;
    }
  } else if (subject.kind === "find" || subject.kind === "list") {
    service.match = matches(text.parameters, subject.table, tables);
  }
  service.requires = c.requires;
  service.effects = c.effects;
  service.returns = returnsOf(subject, spec);
  if (service.returns === "mapping" && subject.table) service.summary = mappingFields(subject.table);
  const table = subject.table ?? (tables[0] as Table);
  const writes = new Set<string>();
  if (subject.kind === "change" || subject.kind === "create") {
    writes.add(table.name);
    for (const rule of c.effects) for (const hop of writtenTables(rule.rule)) writes.add(hop);
  }
  const access = writes.size > 0 ? "write" : "read";
  return {
    tool: spec.name,
    access,
    operation: operationOf(service),
    table: table.name,
    reads: [...new Set([table.name, ...c.requires.flatMap((r) => placeHops(r.rule))])],
    writes: [...writes],
    parameters: text.parameters.map((p) => {
      if (p.name === subject.keyParameter) return { name: p.name, role: "key" as const, table: table.name };
      const other = tables.find((t) => p.type !== "array" && isKeyOf(p, t));
      if (other) return { name: p.name, role: "reference" as const, table: other.name };
      const match = service.match.find((m) => m.parameter === p.name);
      if (match)
        return {
          name: p.name,
          role: match.mode === "text" ? ("query" as const) : ("field" as const),
          ...(match.path.length === 1 ? { field: match.path[0] as string } : {}),
        };
      if ((p.type === "number" || p.type === "integer") && /(amount|price|cost|fee|sum|total)/.test(p.name))
        return { name: p.name, role: "amount" as const };
      return { name: p.name, role: "option" as const };
    }),
    summary: summaryOf(service, table),
    service,
  };
}

/**
 * A stateless tool of any domain (with or without a data pack): `calculate` evaluates arithmetic
 * exactly, `think` and hand-offs change nothing. Null for a tool that touches data.
 */
export function utilityModel(spec: ToolSpec, table: Table): ToolModel | null {
  const utility = utilityOf(toolText(spec, []));
  if (!utility) return null;
  const service: ServiceModel = {
    kind: "utility",
    utility,
    match: [],
    returns: utility === "calculate" ? "number" : utility === "handoff" ? "message" : "nothing",
    requires: [],
    effects: [],
  };
  return {
    tool: spec.name,
    access: "read",
    operation: "get",
    table: table.name,
    reads: [],
    writes: [],
    parameters: Object.keys((spec.parameters.properties ?? {}) as object).map((name) => ({ name, role: "option" as const })),
    summary: summaryOf(service, table),
    service,
  };
}

/** How a find or list tool's parameters select records: each equal to the field it names, at any depth of the record. */
function matches(
  parameters: ToolModel["parameters"] | ReturnType<typeof toolText>["parameters"],
  table: Table | null,
  tables: readonly Table[] = [],
): ServiceModel["match"] {
  if (!table) return [];
  const find = (fields: readonly Field[], name: string) => {
    const paths = leaves(fields);
    return (
      paths.find((l) => l.path.at(-1) === name) ?? paths.find((l) => overlap(name, l.path.at(-1) as string) >= 1 && !l.field.references)
    );
  };
  const out: ServiceModel["match"] = [];
  for (const p of parameters as { name: string; type?: string }[]) {
    const near = find(table.fields, p.name);
    if (near) {
      out.push({ parameter: p.name, path: near.path, mode: "equal" });
      continue;
    }
    if (/^(query|q|keyword|keywords|search|term|text)$/.test(p.name)) {
      out.push({ parameter: p.name, path: [], mode: "text" });
      continue;
    }
    // A field of a record that refers to this one: the customer who owns the line with this number.
    for (const other of tables) {
      const link = other.fields.find((f) => f.references === table.name);
      const exact = link ? leaves(other.fields).find((l) => l.path.at(-1) === p.name) : undefined;
      if (link && exact) {
        out.push({ parameter: p.name, path: exact.path, mode: "equal", via: { table: other.name, field: link.name } });
        break;
      }
    }
  }
  return out;
}

function returnsOf(subject: ReturnType<typeof subjectOf>, spec: ToolSpec): ServiceModel["returns"] {
  switch (subject.kind) {
    case "utility":
      return subject.utility === "calculate" ? "number" : subject.utility === "handoff" ? "message" : "nothing";
    case "find":
      return "key";
    case "list":
      return /\b(mapping|map|dict|dictionary)\b/i.test(spec.description) ? "mapping" : "records";
    default:
      return "record";
  }
}

/** A mapping's fields: the record's name-like field, then its key. */
function mappingFields(table: Table): string[] {
  const name =
    table.fields.find((f) => /^(name|title|label)$/.test(f.name)) ?? table.fields.find((f) => f.type === "string" && f.name !== table.key);
  return [name?.name ?? table.key, table.key];
}

function operationOf(service: ServiceModel): ToolModel["operation"] {
  switch (service.kind) {
    case "find":
      return "lookup";
    case "get":
      return "get";
    case "list":
      return "list";
    case "create":
      return "create";
    case "change":
      return service.effects.some(
        (r) => r.rule.kind === "set" && r.rule.place.hops.length === 0 && r.rule.value.kind === "constant" && r.text.includes("becomes"),
      )
        ? "set-status"
        : "update";
    default:
      return "lookup";
  }
}

/** The tables an effect writes: where its own place leads (and where a mirror credits), not what it reads. */
function writtenTables(effect: Requirement | Effect): string[] {
  const places = ["place" in effect ? effect.place : null, effect.kind === "mirror" && effect.credit ? effect.credit.place : null].filter(
    (p): p is NonNullable<typeof p> => p !== null,
  );
  return places.flatMap((p) => p.hops.map((h) => h.table));
}

function placeHops(rule: Requirement | Effect): string[] {
  const out: string[] = [];
  const visit = (value: unknown) => {
    if (!value || typeof value !== "object") return;
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.hops)) for (const hop of v.hops as { table: string }[]) out.push(hop.table);
    for (const item of Object.values(v)) visit(item);
  };
  visit(rule);
  return out;
}

function summaryOf(service: ServiceModel, table: Table): string {
  switch (service.kind) {
    case "utility":
      return service.utility === "calculate" ? "evaluates arithmetic exactly; changes nothing" : "changes nothing";
    case "find":
      return `the key of the ${table.entity} whose ${service.match.map((m) => m.path.join(".")).join(", ")} match`;
    case "get":
      return `one ${table.entity} by key`;
    case "list":
      return `the ${table.name} whose ${service.match.map((m) => m.path.join(".")).join(", ") || "fields"} match`;
    default:
      return [...service.requires, ...service.effects].map((r) => r.text.split(" (")[0]).join("; ") || `changes a ${table.entity}`;
  }
}
