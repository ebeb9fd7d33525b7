// Offline schema inference: a domain's database reverse-engineered from its tools, by rule.
//
// 1. Each tool's verb (lexicon.ts) gives its operation kind; the words after it, its object.
// 2. Entities come from id parameters (`order_id` → orders), ids in declared results, natural keys
//    (`path` → a table keyed by path) and, failing those, a tool's head noun (`get_weather` → weather).
// 3. Each tool gets a target table; each parameter a role (key, reference, field, bound, query…).
// 4. Tables collect their fields from the parameters, results and names of the tools on them;
//    tables with status verbs get a status field; amounts find the counters they draw down.

import type { DomainSchema, Field, OperationKind, ParameterRole, Table, ToolModel } from "../../contracts/domain-schema.ts";
import type { ToolSpec } from "../../contracts/tool-spec.ts";
import {
  COUNTER_FIELDS,
  DESTINATION,
  LIMIT_PARAMETERS,
  LOWER_BOUND,
  NATURAL_KEYS,
  participle,
  QUERY_PARAMETERS,
  SOURCE,
  TERMINAL_STATES,
  UPPER_BOUND,
  verbKind,
} from "../../domain-model/lexicon.ts";
import { plural, singular, snake, splitIdentifier } from "../../domain-model/words.ts";
import { descriptionWords, idEntity, type Parameter, parametersOf, returnedFields } from "./parameters.ts";

/** What a description says a record's status ends as: "its status becomes cancelled", "status is returned". */
const STATUS_PHRASE = /\bstatus (?:is|becomes|changes to|will be|is set to|turns to|moves to) [`'"]?([a-z][a-z_]+)/i;
const PREPOSITIONS = new Set(["for", "by", "with", "in", "of", "from", "to", "on", "at", "via", "using"]);
const FILLER = new Set([
  "a",
  "an",
  "the",
  "all",
  "my",
  "new",
  "current",
  "detail",
  "details",
  "info",
  "information",
  "data",
  "item",
  "items",
  "list",
  "specific",
  "given",
  "single",
  "one",
  "multiple",
]);
const SIDE_PREFIXES = new Set([
  "from",
  "to",
  "source",
  "src",
  "destination",
  "dest",
  "target",
  "new",
  "old",
  "parent",
  "origin",
  "original",
]);
const PATH_LIKE = /^(path|.*_path|directory|dir|folder|parent_directory|parent_dir|parent_folder|.*_directory|.*_folder)$/;
const AMOUNT = new Set(["amount", "sum", "value", "total"]);
const QUANTITY = new Set(["quantity", "qty", "units", "count"]);
/** Creating verbs that give back rather than consume (a return restocks, a deposit credits). */
const NOT_CONSUMING = new Set(["return", "refund", "deposit", "restock", "add", "credit", "top", "register", "invite"]);
const LEDGER = /transaction|transfer|payment|movement|ledger|entr(y|ie)|statement/;
const VERB_NOUNS: Record<string, string> = {
  book: "booking",
  reserve: "reservation",
  pay: "payment",
  order: "order",
  return: "return",
  register: "registration",
  subscribe: "subscription",
  apply: "application",
  invite: "invitation",
  enroll: "enrollment",
  purchase: "purchase",
  buy: "purchase",
  request: "request",
  review: "review",
  rate: "rating",
  comment: "comment",
  donate: "donation",
  schedule: "appointment",
  send: "message",
  post: "post",
  upload: "upload",
  log: "entry",
  record: "entry",
};

interface Shape {
  tool: ToolSpec;
  params: Parameter[];
  verb: string | null;
  kind: ReturnType<typeof verbKind>;
  /** Singular words naming what the tool acts on, before any preposition. */
  object: string[];
}

interface EntityInfo {
  entity: string;
  key: string;
  keyKind: "id" | "natural";
  /** Ids declared as integers (`book_id: integer`) make an integer-keyed table. */
  keyType: "string" | "integer";
  /** Some tool passes the id as a number (others as text): ids must look like numbers. */
  numeric?: boolean;
}

/** The verb and object words of a tool's name. */
function shapeOf(tool: ToolSpec): Shape {
  const words = splitIdentifier(tool.name);
  let verbIndex = words.findIndex((w) => verbKind(w) !== null);
  // A verb counts only at the start or right after a namespace word (`github_create_issue`).
  if (verbIndex > 1) verbIndex = -1;
  const verb = verbIndex >= 0 ? (words[verbIndex] as string) : (words[0] ?? null);
  const rest = words.slice(verbIndex >= 0 ? verbIndex + 1 : 1);
  const cut = rest.findIndex((w) => PREPOSITIONS.has(w));
  const object = (cut >= 0 ? rest.slice(0, cut) : rest).filter((w) => !FILLER.has(w) && !/^[0-9]+$/.test(w)).map((w) => singular(w));
  return {
    tool,
    params: parametersOf(tool),
    verb,
    kind: verb ? verbKind(verb) : null,
    object: object.length > 0 ? object : words.filter((w) => !FILLER.has(w) && w !== verb).map(singular),
  };
}

/** The entity an id parameter refers to, without side prefixes (`from_account_id` → account). */
function referencedEntity(parameter: Parameter): { entity: string; side: "source" | "destination" | null } | null {
  const entity = idEntity(parameter.words);
  if (!entity) return null;
  const parts = entity.split("_");
  const first = parts[0] ?? "";
  if (parts.length > 1 && SIDE_PREFIXES.has(first)) {
    const side = SOURCE.test(`${first}_x`) ? "source" : DESTINATION.test(`${first}_x`) ? "destination" : null;
    return { entity: parts.slice(1).join("_"), side };
  }
  return { entity, side: null };
}

function isPathLike(name: string): boolean {
  return PATH_LIKE.test(snake(name));
}

function isNaturalKey(parameter: Parameter): boolean {
  return isPathLike(parameter.name) || NATURAL_KEYS.has(snake(parameter.name));
}

/** The rightmost run of object words that names a known entity (`passenger reservation` → reservation). */
function knownEntityIn(object: readonly string[], entities: ReadonlyMap<string, EntityInfo>): string | null {
  for (let end = object.length; end > 0; end--) {
    for (let start = 0; start < end; start++) {
      const candidate = object.slice(start, end).join("_");
      if (entities.has(candidate)) return candidate;
    }
  }
  return null;
}

function headNoun(shape: Shape): string {
  const head = shape.object.at(-1) ?? (shape.verb ? (VERB_NOUNS[shape.verb] ?? shape.verb) : "record");
  return head.replace(/[^a-z0-9_]/g, "") || "record";
}

/** The entity a tool's object words name when no known entity is among them: its last two words (`checked_bag`). */
function objectName(shape: Shape): string {
  return shape.object.length > 0
    ? shape.object
        .slice(-2)
        .join("_")
        .replace(/[^a-z0-9_]/g, "") || headNoun(shape)
    : headNoun(shape);
}

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

/** Rule-inferred schema of a domain's tools. Deterministic: the same tools give the same schema. */
export function inferDomainSchema(domain: string, tools: readonly ToolSpec[]): DomainSchema {
  const shapes = tools.map(shapeOf);

  // Entities named by ids, in parameters and in declared results.
  const entities = new Map<string, EntityInfo>();
  const addEntity = (entity: string, key: string, keyKind: EntityInfo["keyKind"], type: string) => {
    const keyType = type === "integer" || type === "number" ? "integer" : "string";
    const known = entities.get(entity);
    if (!known) entities.set(entity, { entity, key, keyKind, keyType, numeric: keyType === "integer" });
    else {
      if (keyType === "string") known.keyType = "string";
      if (keyType === "integer") known.numeric = true;
    }
  };
  for (const shape of shapes) {
    for (const parameter of shape.params) {
      const ref = referencedEntity(parameter);
      if (ref) addEntity(ref.entity, `${ref.entity}_id`, "id", parameter.field.type);
    }
    for (const { name, field } of returnedFields(shape.tool)) {
      const entity = idEntity(splitIdentifier(name));
      if (entity) addEntity(entity, `${entity}_id`, "id", field.type);
    }
  }

  // Natural keys: paths always; other natural keys (email, sku…) when the tool names no other record.
  const pathTools = shapes.filter((s) => s.params.some((p) => isPathLike(p.name)));
  let pathEntity: string | null = null;
  if (pathTools.length > 0) {
    const votes = new Map<string, number>();
    for (const shape of pathTools) {
      const noun = knownEntityIn(shape.object, entities) ?? shape.object.at(-1);
      if (noun) votes.set(noun, (votes.get(noun) ?? 0) + 1);
    }
    const ranked = [...votes].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    // `directory` and `file` tools share one table; prefer the noun of most tools, `file` on ties.
    pathEntity = ranked.find(([noun]) => noun === "file" && votes.get(noun) === ranked[0]?.[1])?.[0] ?? ranked[0]?.[0] ?? "file";
    if (!entities.has(pathEntity)) entities.set(pathEntity, { entity: pathEntity, key: "path", keyKind: "natural", keyType: "string" });
  }
  for (const shape of shapes) {
    const natural = shape.params.find((p) => isNaturalKey(p) && !isPathLike(p.name));
    if (!natural || shape.params.some((p) => referencedEntity(p))) continue;
    const noun = knownEntityIn(shape.object, entities) ?? headNoun(shape);
    if (!entities.has(noun)) entities.set(noun, { entity: noun, key: snake(natural.name), keyKind: "natural", keyType: "string" });
  }

  // Each tool's operation and target entity.
  interface Planned {
    shape: Shape;
    operation: OperationKind;
    entity: string;
    /** The state a description says the record ends in ("its status becomes cancelled"). */
    statusTo?: string;
  }
  const planned: Planned[] = shapes.map((shape): Planned => {
    const { params } = shape;
    const object = knownEntityIn(shape.object, entities);
    const hasKeyOf = (entity: string) => {
      const info = entities.get(entity);
      return Boolean(
        info &&
          params.some(
            (p) =>
              snake(p.name) === info.key ||
              (info.keyKind === "natural" &&
                info.key === "path" &&
                isPathLike(p.name) &&
                !/^(dest|destination|target|new)_/.test(snake(p.name))),
          ),
      );
    };
    const keyedEntity = (): string | null => {
      if (object && hasKeyOf(object)) return object;
      if (params.some((p) => snake(p.name) === "id") && object) return object;
      // The one entity whose key is given (`change_seat(reservation_id, seat)` acts on the reservation).
      const given = params.map((p) => referencedEntity(p)).filter((r) => r && r.side === null) as { entity: string }[];
      if (given.length === 1) return (given[0] as { entity: string }).entity;
      if (pathEntity && params.some((p) => isPathLike(p.name))) return pathEntity;
      return null;
    };
    const newEntity = (): string => {
      const declared = returnedFields(shape.tool)
        .map(({ name }) => idEntity(splitIdentifier(name)))
        .find((e): e is string => Boolean(e) && !params.some((p) => referencedEntity(p)?.entity === e));
      if (declared) return declared;
      if (object && !hasKeyOf(object)) return object;
      if (object) {
        // `book_flight(flight_id)` does not create a flight: what it creates is what its description names.
        const referenced = new Set(params.map((p) => referencedEntity(p)?.entity).filter(Boolean));
        const mentioned = descriptionWords(shape.tool).find((w) => entities.has(w) && !referenced.has(w) && w !== object);
        return mentioned ?? `${object}_${shape.verb ? (VERB_NOUNS[shape.verb] ?? "record") : "record"}`;
      }
      return objectName(shape);
    };

    const sides = params.map((p) => ({ p, ref: referencedEntity(p) }));
    const source = sides.find((s) => s.ref?.side === "source");
    const destination = sides.find((s) => s.ref?.side === "destination" && s.ref.entity === source?.ref?.entity);
    const hasAmount = params.some((p) => AMOUNT.has(snake(p.name)) || QUANTITY.has(snake(p.name)));
    const pathSource = params.find((p) => isPathLike(p.name) && /^(source|src|from|old)_/.test(snake(p.name)));
    const pathDestination = params.find((p) => isPathLike(p.name) && /^(destination|dest|to|target|new)_/.test(snake(p.name)));

    const said = STATUS_PHRASE.exec(shape.tool.description)?.[1]?.toLowerCase();
    if (said && shape.kind !== "upsert" && shape.kind !== "delete") {
      // A creating verb (`return_loan(loan_id)`) counts only when it names the record it is given.
      const target = shape.kind === "create" ? (object && hasKeyOf(object) ? object : null) : keyedEntity();
      if (target) return { shape, operation: "set-status", entity: target, statusTo: said };
    }
    switch (shape.kind) {
      case "transfer":
        if (source?.ref && destination && hasAmount) return { shape, operation: "transfer", entity: source.ref.entity };
        return { shape, operation: "create", entity: newEntity() };
      case "move":
        if (pathEntity && pathSource && pathDestination) return { shape, operation: "move", entity: pathEntity };
        if (source?.ref && destination && hasAmount) return { shape, operation: "transfer", entity: source.ref.entity };
        return keyedEntity()
          ? { shape, operation: "update", entity: keyedEntity() as string }
          : { shape, operation: "create", entity: newEntity() };
      case "status": {
        const target = keyedEntity();
        return target
          ? { shape, operation: "set-status", entity: target }
          : { shape, operation: "lookup", entity: object ?? headNoun(shape) };
      }
      case "upsert": {
        const target = keyedEntity();
        if (target && entities.get(target)?.keyKind === "natural") return { shape, operation: "upsert", entity: target };
        if (target) return { shape, operation: "update", entity: target };
        return { shape, operation: "create", entity: newEntity() };
      }
      case "create": {
        if (
          pathEntity &&
          params.some((p) => isPathLike(p.name)) &&
          (!object || object === pathEntity || !entities.has(object) || entities.get(object)?.keyKind === "natural")
        ) {
          return { shape, operation: "create", entity: pathEntity };
        }
        const naturalTarget = object && entities.get(object)?.keyKind === "natural" && hasKeyOf(object);
        return { shape, operation: "create", entity: naturalTarget ? (object as string) : newEntity() };
      }
      case "update": {
        const target = keyedEntity();
        return target ? { shape, operation: "update", entity: target } : { shape, operation: "create", entity: newEntity() };
      }
      case "delete": {
        const target = keyedEntity();
        const named = object ?? objectName(shape);
        if (target && named !== target && !hasKeyOf(named)) {
          // `remove_attendee(event_id, email)`: an attendee of the event, found by its fields.
          return { shape, operation: "delete", entity: named };
        }
        return { shape, operation: "delete", entity: target ?? named };
      }
      case "get": {
        const target = keyedEntity();
        if (target && (!object || object === target || hasKeyOf(target))) return { shape, operation: "get", entity: target };
        return { shape, operation: "lookup", entity: object ?? headNoun(shape) };
      }
      case "list": {
        if (pathEntity && params.some((p) => isPathLike(p.name))) return { shape, operation: "list", entity: pathEntity };
        return { shape, operation: "list", entity: object ?? headNoun(shape) };
      }
      default:
        return { shape, operation: "lookup", entity: object ?? headNoun(shape) };
    }
  });

  for (const plan of planned)
    if (!entities.has(plan.entity))
      entities.set(plan.entity, { entity: plan.entity, key: `${plan.entity}_id`, keyKind: "id", keyType: "string" });
  // An entity created with its key given by the caller is keyed naturally (`create_user(username)`).
  for (const plan of planned) {
    const info = entities.get(plan.entity) as EntityInfo;
    if (plan.operation === "create" && info.keyKind === "id" && plan.shape.params.some((p) => snake(p.name) === info.key))
      info.keyKind = "natural";
  }

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
  /** A field of `table` that a bound on `base` compares with: the field itself, a date/time field for dates, or one containing the word. */
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

  // What tools declare they return are fields of their tables (before bounds look for fields).
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

  const models: ToolModel[] = [];
  // Writes first: they say which fields records have; reads then filter on them.
  const order = [...planned.keys()].sort((a, b) => {
    const rank = (p: Planned) => (["create", "upsert", "update", "set-status", "transfer", "move", "delete"].includes(p.operation) ? 0 : 1);
    return rank(planned[a] as Planned) - rank(planned[b] as Planned) || a - b;
  });
  for (const index of order) {
    const plan = planned[index] as Planned;
    const { shape, operation } = plan;
    const table = tables.get(tableOf.get(plan.entity) as string) as Table;
    const read = operation === "get" || operation === "list" || operation === "lookup";
    const bindings: ToolModel["parameters"] = [];
    const readsTables = new Set([table.name]);
    for (const parameter of shape.params) {
      const name = snake(parameter.name);
      const bind = (role: ParameterRole, extra: { table?: string; field?: string } = {}) =>
        bindings.push({ name: parameter.name, role, ...extra });
      const ref = referencedEntity(parameter);
      if (read && LIMIT_PARAMETERS.has(name) && (parameter.field.type === "integer" || parameter.field.type === "number")) {
        bind("limit");
        continue;
      }
      if ((operation === "list" || operation === "lookup") && QUERY_PARAMETERS.has(name) && parameter.field.type === "string") {
        bind("query");
        continue;
      }
      if (operation === "transfer" && ref && ref.side && tableOf.get(ref.entity) === table.name) {
        bind(ref.side, { table: table.name });
        continue;
      }
      if (operation === "transfer" && (AMOUNT.has(name) || QUANTITY.has(name))) {
        bind("amount");
        continue;
      }
      if (operation === "move" && isPathLike(parameter.name)) {
        bind(/^(destination|dest|to|target|new)_/.test(name) ? "destination" : "source", { table: table.name });
        continue;
      }
      if (table.key === "path" && isPathLike(parameter.name)) {
        if (operation === "list") bind("parent", { table: table.name });
        else bind("key", { table: table.name });
        continue;
      }
      if (name === table.key || (name === "id" && !read)) {
        if (operation === "create" && table.keyKind === "id") {
          bind("field", { field: table.key });
        } else if (operation === "list" || operation === "lookup") {
          bind("field", { field: table.key });
        } else bind("key", { table: table.name });
        continue;
      }
      if (ref) {
        const target = tableOf.get(ref.entity);
        if (target && target !== table.name) {
          bind("reference", { table: target, field: name });
          readsTables.add(target);
          const keyType = (tables.get(target) as Table).fields[0]?.type ?? "string";
          if (operation !== "transfer" && operation !== "move") addField(table, name, { type: keyType, references: target });
          continue;
        }
      }
      if (read) {
        if (parameter.field.type === "boolean" && /^(include|show|with|return|verbose|detailed|recursive)_?/.test(name)) {
          bind("option");
          continue;
        }
        const lower = LOWER_BOUND.exec(name);
        const upper = UPPER_BOUND.exec(name);
        if (lower || upper) {
          const match = (lower ?? upper) as RegExpExecArray;
          const base = (match[2] ?? match[3]) as string;
          bind(lower ? "lower-bound" : "upper-bound", { field: boundField(table, base, parameter) });
          continue;
        }
      }
      if (operation === "delete" || operation === "set-status" || operation === "move" || operation === "transfer") {
        // Stored with the change (a cancellation reason), or, for deletes, what finds the record.
        if (operation === "delete" && !bindings.some((b) => b.role === "key")) {
          addField(table, name, parameter.field);
          bind("field", { field: name });
        } else if (operation === "set-status") {
          addField(table, name, { ...parameter.field, nullable: true });
          bind("field", { field: name });
        } else bind("option");
        continue;
      }
      addField(table, name, parameter.field);
      bind("field", { field: name });
    }
    if (operation === "get") {
      // `get_account_balance`: the words after the entity name fields of it.
      const after = shape.object.slice(shape.object.lastIndexOf(table.entity.split(" ").at(-1) as string) + 1);
      for (const word of after) {
        if (fieldIn(table, word)) continue;
        const numeric = [
          ...COUNTER_FIELDS.amount,
          ...COUNTER_FIELDS.quantity,
          "price",
          "total",
          "count",
          "score",
          "rating",
          "size",
        ].includes(word);
        addField(table, word, { type: numeric ? "number" : "string" });
      }
    }
    if (operation === "create" && !fieldIn(table, "created_at")) addField(table, "created_at", { type: "string", format: "date-time" });
    if (operation === "lookup" && !table.fields.some((f) => f.name === "result"))
      addField(table, "result", { type: "string", description: "what the tool answers for a match" });
    models[index] = {
      tool: shape.tool.name,
      access: read ? "read" : "write",
      operation,
      table: table.name,
      reads: [...readsTables].sort(),
      writes: read ? [] : [table.name],
      parameters: bindings,
      summary: "",
    };
  }

  // Status: tables that tools move through states.
  for (const table of tables.values()) {
    const statusTools = models.filter((m) => m.table === table.name && m.operation === "set-status");
    if (statusTools.length === 0) continue;
    const existing = fieldIn(table, "status");
    const declared = (existing?.enum ?? []).map(String);
    const targets = statusTools.map(
      (m) =>
        planned.find((p) => p.shape.tool.name === m.tool)?.statusTo ??
        participle(shapeOf(tools.find((t) => t.name === m.tool) as ToolSpec).verb ?? "change"),
    );
    const initial =
      declared.find((v) => !TERMINAL_STATES.has(v) && !targets.includes(v)) ?? (targets.includes("active") ? "pending" : "active");
    const values = [...new Set([initial, ...declared, ...targets])];
    if (existing) {
      existing.type = "string";
      existing.enum = values;
    } else table.fields.push({ name: "status", type: "string", enum: values });
    table.status = { field: "status", initial, values };
    statusTools.forEach((model, i) => {
      const to = targets[i] as string;
      model.status = { to, refusedFrom: values.filter((v) => v === to || TERMINAL_STATES.has(v)) };
    });
  }

  // Amounts: transfers move a counter; creates with an amount or quantity draw one down.
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

  // A foreign key holds what the referenced table is keyed by.
  for (const table of tables.values()) {
    for (const field of table.fields) {
      const referenced = field.references ? tables.get(field.references) : undefined;
      const keyType = referenced?.fields.find((f) => f.name === referenced.key)?.type;
      if (keyType) {
        field.type = keyType;
        delete field.enum;
      }
    }
  }

  // Fields some record may lack: everything a creating tool does not set.
  for (const table of tables.values()) {
    const creators = models.filter((m) => m.table === table.name && (m.operation === "create" || m.operation === "upsert"));
    for (const field of table.fields) {
      if (field.name === table.key || field.name === "created_at" || field.name === table.status?.field) continue;
      const alwaysSet =
        creators.length > 0 &&
        creators.every((m) =>
          m.parameters.some((p) => p.field === field.name && (m.operation !== "create" || isRequired(tools, m.tool, p.name))),
        );
      if (!alwaysSet && creators.length > 0) field.nullable = true;
    }
  }
  for (const model of models) model.summary = summarize(model, tables.get(model.table) as Table);

  const used = new Set(models.flatMap((m) => [m.table, ...m.reads, ...m.writes]));
  for (const table of tables.values()) for (const field of table.fields) if (field.references) used.add(field.references);
  return {
    domain,
    source: "rules",
    tables: [...tables.values()].filter((t) => used.has(t.name)),
    tools: models,
  };
}

function isRequired(tools: readonly ToolSpec[], toolName: string, parameter: string): boolean {
  const tool = tools.find((t) => t.name === toolName);
  return Array.isArray(tool?.parameters.required) && (tool.parameters.required as string[]).includes(parameter);
}

/** One line on what a tool does to the database. */
export function summarize(model: ToolModel, table: Table): string {
  const by = (role: string) => model.parameters.filter((p) => p.role === role).map((p) => p.name);
  const refs = model.parameters.filter((p) => p.role === "reference").map((p) => `${p.name} → ${p.table}`);
  const requires = refs.length > 0 ? `; requires ${refs.join(", ")}` : "";
  switch (model.operation) {
    case "create":
      return `inserts a record into ${table.name} (${table.keyKind === "id" ? `new ${table.key}` : `${table.key} must be free`})${requires}${model.debits ? `; draws down ${model.debits.map((d) => `${d.table}.${d.field} by ${d.parameter}`).join(", ")}` : ""}`;
    case "upsert":
      return `writes the ${table.entity} at ${by("key").join(", ")} in ${table.name}, creating or replacing it`;
    case "get":
      return `reads one record of ${table.name} by ${by("key").join(", ") || table.key}${requires}`;
    case "list":
      return `reads the records of ${table.name} matching ${[...by("reference"), ...by("field"), ...by("query"), ...by("parent"), ...by("lower-bound"), ...by("upper-bound")].join(", ") || "nothing (all)"}`;
    case "lookup":
      return `reads the first record of ${table.name} matching ${[...by("field"), ...by("query")].join(", ") || "anything"}`;
    case "update":
      return `changes ${by("field").join(", ") || "fields"} of one record of ${table.name}${requires}`;
    case "set-status":
      return `sets ${table.name}.${table.status?.field ?? "status"} to ${model.status?.to ?? "?"} (refused when ${model.status?.refusedFrom.join(" or ") ?? "?"})${requires}`;
    case "delete":
      return `removes one record of ${table.name} by ${by("key").join(", ") || by("field").join(" and ")}`;
    case "transfer":
      return `moves ${by("amount").join(", ")} of ${table.name}.${model.parameters.find((p) => p.role === "amount")?.field ?? "balance"} from ${by("source")} to ${by("destination")}${model.ledger ? `; records both sides in ${model.ledger.table}` : ""}`;
    case "move":
      return `re-keys a record of ${table.name} from ${by("source")} to ${by("destination")} (which must be free)`;
  }
}
