// Tasks of a service modelled on its data pack, as its users bring them: a person identifies
// themselves (by email, by name and zip…), the agent looks up their account and the record the
// request is about, then acts on it. The act's call is one its rules accept on the real data (the
// key of an active loan, one of the member's own payment methods); the flow around it is built
// from the schema: which table the service's people are in (the one a `find` tool searches), how a
// record leads to its owner (a reference, or the owner's list of keys), which `get` tools show
// them. Read-only flows stop after the look-ups: the person asks about the record.

import type { Rng } from "../../kernel/rng.ts";
import type { DomainSchema, Table, ToolModel } from "../../lib/contracts/domain-schema.ts";
import type { DomainState, Row } from "../../lib/contracts/domain-state.ts";
import type { EnvironmentSpec } from "../../lib/contracts/environment-spec.ts";
import type { Feed, GoldCall } from "../../lib/contracts/task.ts";
import type { ServiceModel } from "../../lib/contracts/tool-rules.ts";
import type { JsonSchema } from "../../lib/domain-model/json-schema.ts";
import { conformArgs, matchValue, serviceCall, valueIn } from "../../lib/domain-model/service-arguments.ts";
import { signInSetup } from "../../lib/service-tools/sign-in-call.ts";
import { coherentArgs } from "./coherent-values.ts";

/** One change the person asks for. */
export interface FlowAct {
  tool: string;
  catalogName: string;
  /** The arguments the person states (not fed by a look-up, not the subject's key). */
  stated: Row;
  creates: boolean;
  /** The record it is about, when not the person's own account. */
  subject?: { table: string; entity: string; key: string; status?: string; statuses: string[]; record: Row };
  /** Parameters whose values were drawn together from one object of the data (`address`). */
  groups: { field: string; parameters: string[] }[];
  /** Stated parameters that hold another record's key: the person names that record, not the parameter (`acting_employee_id` 100 is Dana Whitfield). */
  records?: Record<string, { entity: string; key: string; record: Row; person: boolean }>;
}

/** What the flow is about, for writing the person's request. */
export interface FlowGoal {
  /** The person: their table and record (their name, their email come from it). */
  owner?: { table: string; key: string; record: Row };
  /** How they identify themselves: the find call's arguments. */
  identity: Row;
  /** The record a question is about, when it is not the person's own account. */
  subject?: { table: string; entity: string; key: string; statuses: string[] };
  /** The changes, in order (one to three); absent for a question. */
  acts?: FlowAct[];
  /** What the person asked for first, which the policy refuses on that record: the acts are what they want instead. */
  refused?: FlowAct;
  /** A question's answer comes from this call's result. */
  asks?: { tool: string; entity: string };
}

export interface Flow {
  calls: GoldCall[];
  feeds: Feed[];
  goal: FlowGoal;
}

export interface FlowInputs {
  schema: DomainSchema;
  spec: EnvironmentSpec;
  /** Tool models by function name. */
  models: ReadonlyMap<string, ToolModel>;
  state: DomainState;
  clock: string;
  rng: Rng;
}

export interface FlowShape {
  /** Most changes in one request. */
  acts: number;
  /** Ask first for something the policy refuses on the record, then for what they want instead. */
  refused: boolean;
}

const kindOf = (model: ToolModel | undefined) => (model?.service as ServiceModel | undefined)?.kind;
const serviceOf = (model: ToolModel) => model.service as ServiceModel;

/** The records of `state` that belong to one person: theirs, the ones referring to them, and the ones they list; other tables whole. */
function ownedState(input: FlowInputs, owner: { table: string; key: string; record: Row }): DomainState {
  const out: DomainState = { ...input.state, [owner.table]: { [owner.key]: owner.record } };
  const listed = new Set(
    Object.values(owner.record)
      .filter(Array.isArray)
      .flat()
      .map((v) => String(v)),
  );
  for (const table of input.schema.tables) {
    if (table.name === owner.table) continue;
    const refs = table.fields.filter((f) => f.references === owner.table).map((f) => f.name);
    const rows = input.state[table.name] ?? {};
    if (refs.length > 0)
      out[table.name] = Object.fromEntries(Object.entries(rows).filter(([, r]) => refs.some((f) => String(r[f]) === owner.key)));
    else if (Object.keys(rows).some((k) => listed.has(k)))
      out[table.name] = Object.fromEntries(Object.entries(rows).filter(([k]) => listed.has(k)));
  }
  return out;
}

/** The status at the record's own status-in requirement, and whether the tool would refuse the record for it. */
function refusesByStatus(model: ToolModel, record: Row): { path: string[]; accepted: string[] } | null {
  for (const r of serviceOf(model).requires) {
    const rule = r.rule as { kind: string; place?: { hops: unknown[]; root?: unknown; path: string[] }; values?: string[] };
    if (rule.kind !== "status-in" || !rule.place || rule.place.hops.length > 0 || rule.place.root || !rule.values) continue;
    const value = valueIn(record, rule.place.path);
    if (!rule.values.includes(String(value))) return { path: rule.place.path, accepted: rule.values };
  }
  return null;
}

const setPath = (record: Row, path: readonly string[], value: unknown): Row => {
  const [head, ...rest] = path as [string, ...string[]];
  return { ...record, [head]: rest.length === 0 ? value : setPath((record[head] as Row) ?? {}, rest, value) };
};

/**
 * The table whose record a parameter names: the one its role says, or, for an id the schema did not
 * link (`previous_request_id`), the table whose entity the name says and which holds that key.
 */
function referencedTable(p: ToolModel["parameters"][number], value: string, schema: DomainSchema, state: DomainState): Table | undefined {
  if (p.role === "reference" || p.role === "key") return p.table ? schema.tables.find((t) => t.name === p.table) : undefined;
  if (!/_id$/.test(p.name)) return undefined;
  const said = p.name.toLowerCase().split("_");
  return schema.tables.find((t) => {
    const entity = t.entity.toLowerCase().split(/[\s_]+/);
    return said.includes(entity[entity.length - 1] as string) && state[t.name]?.[value] !== undefined;
  });
}

/** One flow: around the `attempt`-th act (or question, when `readOnly`), or null when the data offers none. */
export function serviceFlow(
  input: FlowInputs,
  attempt: number,
  readOnly: boolean,
  shape: FlowShape = { acts: 1, refused: false },
): Flow | null {
  const tools = [...input.models.entries()].filter(([, m]) => m.service);
  const tables = new Map(input.schema.tables.map((t) => [t.name, t]));
  const byKind = (kind: ServiceModel["kind"]) => tools.filter(([, m]) => kindOf(m) === kind);
  // How people identify themselves: a `find` (their key), or a `get` or `list` that looks a record
  // up by a field that singles it out instead of its key (an employee by work email).
  const finds = [...byKind("find"), ...tools.filter(([, m]) => identifyingField(m, tables, input.state) !== undefined)];
  // Gets by key: a get that searches by another field is how people identify themselves (above).
  const gets = byKind("get").filter(([, m]) => serviceOf(m).keyParameter);
  const people = new Set(finds.map(([, m]) => serviceOf(m).table).filter((t): t is string => Boolean(t)));
  const getOf = (table: string) => gets.filter(([, m]) => serviceOf(m).table === table)[0];
  const parameters = (tool: string) => (input.spec.tools.find((t) => t.name === tool)?.parameters ?? { type: "object" }) as JsonSchema;
  const catalogName = (tool: string) => input.spec.tools.find((t) => t.name === tool)?.catalogName ?? tool;
  const build = (tool: string, model: ToolModel, state: DomainState, label: string) =>
    serviceCall(
      { model, schema: input.schema, state, parameters: parameters(tool), clock: input.clock, rng: input.rng.fork(label) },
      input.rng.int(0, 10_000),
      { wrap: true },
    );

  let subject: { table: string; key: string; record: Row } | undefined;
  const acts: {
    tool: string;
    args: Row;
    subject?: { table: string; key: string; record: Row };
    lookups: { table: string; key: string }[];
    groups: FlowAct["groups"];
  }[] = [];
  if (readOnly) {
    // A question about one of a person's records (or their own account).
    // Records people have (a reference to them, or a list of them in their record), not the catalog's.
    const owned = (table: string) => (tables.get(table)?.fields ?? []).some((f) => f.references !== undefined && people.has(f.references));
    const mineToAsk = gets.filter(([, m]) => !people.has(serviceOf(m).table as string) && owned(serviceOf(m).table as string));
    const asked = mineToAsk.length > 0 ? mineToAsk : gets.filter(([, m]) => !people.has(serviceOf(m).table as string));
    const pool = asked.length > 0 ? asked : gets;
    if (pool.length === 0) return null;
    const [tool, model] = pool[attempt % pool.length] as [string, ToolModel];
    const built = build(tool, model, input.state, `ask:${tool}`);
    const table = serviceOf(model).table as string;
    const key = built?.args[serviceOf(model).keyParameter as string];
    const record = key === undefined ? undefined : input.state[table]?.[String(key)];
    if (!record) return null;
    subject = { table, key: String(key), record };
  } else {
    const changes = tools.filter(([, m]) => ["change", "create"].includes(kindOf(m) as string));
    if (changes.length === 0) return null;
    const [tool, model] = changes[attempt % changes.length] as [string, ToolModel];
    // Which record: seeded, so that tasks spread over the service's people and records.
    const built = build(tool, model, input.state, `act:${tool}`);
    if (!built) return null;
    const record = built.record ? input.state[built.record.table]?.[built.record.key] : undefined;
    subject = built.record && record ? { ...built.record, record } : undefined;
    const coherent = coherentArgs(input.state, built.args, record, input.rng.fork("values:0"));
    acts.push({ tool, args: coherent.args, ...(subject ? { subject } : {}), lookups: coherent.lookups, groups: coherent.groups });
  }

  // The person: the owner of the subject (or of the act's arguments, for a create).
  const owner = ownerOf(input, people, tables, subject, acts[0]?.args);
  // More changes of the same person's (one to `shape.acts` in all), each on a record of theirs not already changed.
  if (!readOnly && owner && shape.acts > 1) {
    const more = input.rng.pick([0, 0, 0, 1, 1, 2].filter((n) => n < shape.acts));
    const mine = ownedState(input, owner);
    const changes = tools.filter(([, m]) => ["change"].includes(kindOf(m) as string));
    for (let n = 0; n < more * 3 && acts.length < 1 + more; n++) {
      const [tool, model] = input.rng.pick(changes);
      const built = build(tool, model, mine, `act:${tool}:${n}`);
      const at = built?.record;
      if (!at) continue;
      // A record the person's other changes also touch would depend on their order: one change per record.
      if (acts.some((a) => a.subject?.table === at.table && a.subject.key === at.key)) continue;
      const record = input.state[at.table]?.[at.key];
      if (!record) continue;
      const coherent = coherentArgs(input.state, built.args, record, input.rng.fork(`values:${n + 1}`));
      acts.push({ tool, args: coherent.args, subject: { ...at, record }, lookups: coherent.lookups, groups: coherent.groups });
    }
  }
  // What they asked first and the policy refuses: another change of the first record, which its state does not allow.
  let refused: FlowAct | undefined;
  const first = acts[0];
  if (!readOnly && shape.refused && first?.subject) {
    const subjectTable = tables.get(first.subject.table) as Table;
    const others = tools.filter(([t, m]) => t !== first.tool && kindOf(m) === "change" && serviceOf(m).table === first.subject?.table);
    for (const [tool, model] of input.rng.shuffle(others)) {
      const refusal = refusesByStatus(model, first.subject.record);
      if (!refusal) continue;
      // Its stated values, as they would be on a record the tool accepts.
      const allowed = setPath(first.subject.record, refusal.path, refusal.accepted[0]);
      const state = { ...input.state, [first.subject.table]: { [first.subject.key]: allowed } };
      const built = build(tool, model, state, `refused:${tool}`);
      if (!built) continue;
      const coherent = coherentArgs(input.state, built.args, first.subject.record, input.rng.fork("values:refused"));
      refused = {
        tool,
        catalogName: catalogName(tool),
        creates: false,
        stated: Object.fromEntries(Object.entries(coherent.args).filter(([name]) => name !== serviceOf(model).keyParameter)),
        subject: describeSubject(subjectTable, first.subject),
        groups: coherent.groups,
      };
      break;
    }
  }

  const calls: GoldCall[] = [];
  const feeds: Feed[] = [];
  let identity: Row = {};
  let found = -1;
  // A key as the tool's schema takes it: tables key records by text, a tool may ask for an integer id.
  const keyArguments = (tool: string, keyParameter: string, key: string) =>
    conformArgs(
      { [keyParameter]: key },
      (parameters(tool).properties ?? {}) as Record<string, JsonSchema>,
      input.state,
    ) as GoldCall["arguments"];
  if (owner) {
    const ownerTable = tables.get(owner.table) as Table;
    const find = finds
      .filter(([, m]) => serviceOf(m).table === owner.table)
      .map(([tool, m]) => ({ tool, args: identityArgs(m, parameters(tool), owner.record, input, ownerTable) }))
      .filter((f): f is { tool: string; args: Row } => f.args !== null);
    const chosen = find.length > 0 ? (find[input.rng.int(0, find.length - 1)] as { tool: string; args: Row }) : undefined;
    if (chosen) {
      identity = chosen.args;
      found = calls.length;
      calls.push({ tool: chosen.tool, arguments: chosen.args as GoldCall["arguments"] });
    }
    const getOwner = getOf(owner.table);
    if (getOwner) {
      const keyParameter = serviceOf(getOwner[1]).keyParameter as string;
      if (found >= 0) feeds.push({ call: calls.length, parameter: keyParameter, from: found, field: ownerTable.key });
      calls.push({ tool: getOwner[0], arguments: keyArguments(getOwner[0], keyParameter, owner.key) });
    }
  }
  const lookUp = (table: string, key: string) => {
    const get = getOf(table);
    if (!get) return;
    const keyParameter = serviceOf(get[1]).keyParameter as string;
    if (calls.some((c) => c.tool === get[0] && String(c.arguments[keyParameter]) === key)) return;
    calls.push({ tool: get[0], arguments: keyArguments(get[0], keyParameter, key) });
  };
  if (readOnly && subject && subject.table !== owner?.table) lookUp(subject.table, subject.key);
  const actsOut: FlowAct[] = [];
  for (const act of acts) {
    // Look at the record, then at what the change needs (the product whose other variant they want).
    if (act.subject && act.subject.table !== owner?.table) lookUp(act.subject.table, act.subject.key);
    for (const l of act.lookups) lookUp(l.table, l.key);
    const model = input.models.get(act.tool) as ToolModel;
    const at = calls.length;
    const fed = new Set<string>();
    // The person's own key in the act is what the look-up found, not something they recite.
    if (owner && found >= 0)
      for (const p of model.parameters)
        if ((p.role === "reference" || p.role === "key") && p.table === owner.table && String(act.args[p.name]) === owner.key) {
          feeds.push({ call: at, parameter: p.name, from: found, field: (tables.get(owner.table) as Table).key });
          fed.add(p.name);
        }
    calls.push({ tool: act.tool, arguments: act.args as GoldCall["arguments"] });
    const keyParameter = serviceOf(model).keyParameter ?? "";
    const records: NonNullable<FlowAct["records"]> = {};
    for (const p of model.parameters) {
      const value = act.args[p.name];
      if (fed.has(p.name) || p.name === keyParameter || (typeof value !== "string" && typeof value !== "number")) continue;
      const table = referencedTable(p, String(value), input.schema, input.state);
      const record = table ? input.state[table.name]?.[String(value)] : undefined;
      // People are named by their names; other records by their number (a request's `name` may be its owner's).
      if (record && table) records[p.name] = { entity: table.entity, key: String(value), record, person: people.has(table.name) };
    }
    actsOut.push({
      tool: act.tool,
      catalogName: catalogName(act.tool),
      creates: kindOf(model) === "create",
      stated: Object.fromEntries(Object.entries(act.args).filter(([name]) => !fed.has(name) && name !== keyParameter)),
      ...(act.subject && act.subject.table !== owner?.table
        ? { subject: describeSubject(tables.get(act.subject.table) as Table, act.subject) }
        : {}),
      groups: act.groups,
      ...(Object.keys(records).length > 0 ? { records } : {}),
    });
  }
  if (calls.length === 0) return null;
  // A service that acts for whoever is signed in: the person signs in first (as themselves when the
  // sign-in finds them), and says how, as they say who they are.
  const signIn = signInFirst(input, calls, owner?.record);
  if (signIn) {
    calls.unshift(signIn);
    for (const f of feeds) {
      f.call += 1;
      f.from += 1;
    }
    // Who they are, not the action that signs them in (`action: "sign_in"` chooses what the call does).
    const signInModel = input.models.get(signIn.tool);
    const actions = new Set(
      ((signInModel?.service as ServiceModel | undefined)?.effects ?? []).flatMap((e) =>
        (e.when ?? []).flatMap((w) => (w.op === "==" && w.left.kind === "parameter" && w.right?.kind === "constant" ? [w.left.name] : [])),
      ),
    );
    const who = Object.fromEntries(Object.entries(signIn.arguments as Row).filter(([name]) => !actions.has(name)));
    identity = { ...who, ...identity };
  }
  const goal: FlowGoal = {
    ...(owner ? { owner } : {}),
    identity,
    ...(readOnly && subject && subject.table !== owner?.table
      ? {
          subject: {
            table: subject.table,
            entity: (tables.get(subject.table) as Table).entity,
            key: subject.key,
            statuses: (tables.get(subject.table) as Table).status?.values ?? [],
          },
        }
      : {}),
    ...(actsOut.length > 0 ? { acts: actsOut } : {}),
    ...(refused ? { refused } : {}),
    ...(readOnly
      ? { asks: { tool: (calls.at(-1) as GoldCall).tool, entity: subject ? (tables.get(subject.table) as Table).entity : "account" } }
      : {}),
  };
  return { calls, feeds, goal };
}

/** The sign-in the first call that needs one is preceded by, or null when none needs one. */
function signInFirst(input: FlowInputs, calls: readonly GoldCall[], person: Row | undefined): GoldCall | null {
  const models = [...input.models.values()];
  const functionOf = (tool: string) => [...input.models.entries()].find(([, m]) => m.tool === tool)?.[0];
  for (const call of calls) {
    const model = input.models.get(call.tool);
    const signIn = model ? signInSetup(model, models, input.state, functionOf, person) : null;
    if (signIn) return { tool: signIn.tool, arguments: signIn.arguments as GoldCall["arguments"] };
  }
  return null;
}

function describeSubject(table: Table, subject: { table: string; key: string; record: Row }): NonNullable<FlowAct["subject"]> {
  const status = table.status ? subject.record[table.status.field] : undefined;
  return {
    table: subject.table,
    entity: table.entity,
    key: subject.key,
    ...(typeof status === "string" ? { status } : {}),
    statuses: table.status?.values ?? [],
    record: subject.record,
  };
}

/** The person a record (or a create's arguments) belongs to: in a table a find tool searches. */
function ownerOf(
  input: FlowInputs,
  people: ReadonlySet<string>,
  tables: ReadonlyMap<string, Table>,
  subject: { table: string; key: string; record: Row } | undefined,
  args: Row | undefined,
): { table: string; key: string; record: Row } | undefined {
  const at = (table: string, key: unknown) => {
    const record = key === undefined || key === null ? undefined : input.state[table]?.[String(key)];
    return record ? { table, key: String(key), record } : undefined;
  };
  if (subject && people.has(subject.table)) return subject;
  for (const table of people) {
    const fields = (tables.get(subject?.table ?? "")?.fields ?? []).filter((f) => f.references === table);
    for (const field of fields) {
      const found = at(table, subject?.record[field.name]);
      if (found) return found;
    }
    // The owner keeps a list of the subject's keys (a member's loans).
    if (subject)
      for (const [key, record] of Object.entries(input.state[table] ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)))
        for (const value of Object.values(record))
          if (Array.isArray(value) && value.some((v) => String(v) === subject.key)) return { table, key, record };
    // A create names its owner among its arguments.
    for (const value of Object.values(args ?? {})) {
      const found = at(table, value);
      if (found) return found;
    }
  }
  return undefined;
}

/** The find call's arguments from the person's own record, or null when one it needs is missing. */
const idLike = (name: string) => /(^|_)(id|ids|key|number|no)$/.test(name);

/**
 * The parameter by which a `get` or `list` (not by key) singles out a person's record: an equal match
 * on a field that is not an id and whose values differ from record to record (an email, a login).
 */
function identifyingField(model: ToolModel, tables: ReadonlyMap<string, Table>, state: DomainState): string | undefined {
  const s = model.service as ServiceModel;
  if ((s.kind !== "get" && s.kind !== "list") || s.keyParameter || !s.table) return undefined;
  const table = tables.get(s.table);
  const rows = Object.values(state[s.table] ?? {});
  if (!table || rows.length < 2) return undefined;
  for (const m of s.match) {
    if (m.mode !== "equal" || m.via || idLike(m.parameter) || m.path.length === 0) continue;
    const values = rows.map((r) => valueIn(r, m.path));
    if (values.every((v) => typeof v === "string" && v !== "") && new Set(values).size === rows.length) return m.parameter;
  }
  return undefined;
}

function identityArgs(model: ToolModel, parameters: JsonSchema, record: Row, input: FlowInputs, table: Table): Row | null {
  const s = model.service as ServiceModel;
  if (s.kind !== "find") {
    // A search that is not a find: the one field that singles the person out.
    const field = identifyingField(model, new Map([[table.name, table]]), input.state);
    const m = s.match.find((x) => x.parameter === field);
    const value = m ? matchValue(input.state, table, record, m) : undefined;
    return field && (typeof value === "string" || typeof value === "number") ? { [field]: value } : null;
  }
  const required = new Set((parameters.required as string[] | undefined) ?? []);
  const args: Row = {};
  for (const m of s.match) {
    if (m.mode !== "equal") continue;
    const value = matchValue(input.state, table, record, m);
    if (value === undefined || value === null || typeof value === "object") continue;
    args[m.parameter] = value;
  }
  for (const name of required) if (!(name in args)) return null;
  if (required.size > 0 || Object.keys(args).length < 2) return Object.keys(args).length > 0 ? args : null;
  // Every filter optional: a person gives one thing that singles them out, as they would say it
  // (an email, a name), rather than every field the search takes.
  const rows = Object.values(input.state[table.name] ?? {});
  const singles = Object.keys(args).filter((name) => {
    const m = s.match.find((x) => x.parameter === name) as ServiceModel["match"][number];
    return rows.filter((r) => String(matchValue(input.state, table, r, m)) === String(args[name])).length === 1;
  });
  const spoken = singles.find((name) => !idLike(name)) ?? singles[0];
  return spoken ? { [spoken]: args[spoken] } : args;
}
