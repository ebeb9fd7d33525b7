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
import { matchValue, serviceCall } from "../../lib/domain-model/service-arguments.ts";

/** What the flow is about, for writing the person's request. */
export interface FlowGoal {
  /** The person: their table and record (their name, their email come from it). */
  owner?: { table: string; key: string; record: Row };
  /** How they identify themselves: the find call's arguments. */
  identity: Row;
  /** The record the request is about, when it is not the person's own account. */
  subject?: { table: string; entity: string; key: string; statuses: string[] };
  /** The act (a write) and the arguments the person states; absent for a question. */
  act?: { tool: string; catalogName: string; stated: Row; creates: boolean };
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

const kindOf = (model: ToolModel | undefined) => (model?.service as ServiceModel | undefined)?.kind;

/** One flow: around the `attempt`-th act (or question, when `readOnly`), or null when the data offers none. */
export function serviceFlow(input: FlowInputs, attempt: number, readOnly: boolean): Flow | null {
  const tools = [...input.models.entries()].filter(([, m]) => m.service);
  const tables = new Map(input.schema.tables.map((t) => [t.name, t]));
  const byKind = (kind: ServiceModel["kind"]) => tools.filter(([, m]) => kindOf(m) === kind);
  const finds = byKind("find");
  const gets = byKind("get");
  const people = new Set(finds.map(([, m]) => (m.service as ServiceModel).table).filter((t): t is string => Boolean(t)));
  const getOf = (table: string) => gets.filter(([, m]) => (m.service as ServiceModel).table === table)[0];
  const parameters = (tool: string) => (input.spec.tools.find((t) => t.name === tool)?.parameters ?? { type: "object" }) as JsonSchema;

  let subject: { table: string; key: string; record: Row } | undefined;
  let act: { tool: string; args: Row } | undefined;
  if (readOnly) {
    // A question about one of a person's records (or their own account).
    const asked = gets.filter(([, m]) => !people.has((m.service as ServiceModel).table as string));
    const pool = asked.length > 0 ? asked : gets;
    if (pool.length === 0) return null;
    const [tool, model] = pool[attempt % pool.length] as [string, ToolModel];
    const built = serviceCall(
      { model, schema: input.schema, state: input.state, parameters: parameters(tool), clock: input.clock, rng: input.rng },
      input.rng.int(0, 10_000),
      { wrap: true },
    );
    const table = (model.service as ServiceModel).table as string;
    const key = built?.args[(model.service as ServiceModel).keyParameter as string];
    const record = key === undefined ? undefined : input.state[table]?.[String(key)];
    if (!record) return null;
    subject = { table, key: String(key), record };
  } else {
    const acts = tools.filter(([, m]) => ["change", "create"].includes(kindOf(m) as string));
    if (acts.length === 0) return null;
    const [tool, model] = acts[attempt % acts.length] as [string, ToolModel];
    // Which record: seeded, so that tasks spread over the service's people and records.
    const built = serviceCall(
      {
        model,
        schema: input.schema,
        state: input.state,
        parameters: parameters(tool),
        clock: input.clock,
        rng: input.rng.fork(`act:${tool}`),
      },
      input.rng.int(0, 10_000),
      { wrap: true },
    );
    if (!built) return null;
    act = { tool, args: built.args };
    if (built.record) {
      const record = input.state[built.record.table]?.[built.record.key];
      if (record) subject = { ...built.record, record };
    }
  }

  // The person: the owner of the subject (or of the act's arguments, for a create).
  const owner = ownerOf(input, people, tables, subject, act?.args);
  const calls: GoldCall[] = [];
  const feeds: Feed[] = [];
  let identity: Row = {};
  let found = -1;
  if (owner) {
    const ownerTable = tables.get(owner.table) as Table;
    const find = finds
      .filter(([, m]) => (m.service as ServiceModel).table === owner.table)
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
      const keyParameter = (getOwner[1].service as ServiceModel).keyParameter as string;
      if (found >= 0) feeds.push({ call: calls.length, parameter: keyParameter, from: found, field: ownerTable.key });
      calls.push({ tool: getOwner[0], arguments: { [keyParameter]: owner.key } as GoldCall["arguments"] });
    }
  }
  if (subject && subject.table !== owner?.table) {
    const getSubject = getOf(subject.table);
    if (getSubject) {
      const keyParameter = (getSubject[1].service as ServiceModel).keyParameter as string;
      calls.push({ tool: getSubject[0], arguments: { [keyParameter]: subject.key } as GoldCall["arguments"] });
    }
  }
  if (act) {
    const model = input.models.get(act.tool) as ToolModel;
    const at = calls.length;
    // The person's own key in the act is what the look-up found, not something they recite.
    if (owner && found >= 0)
      for (const p of model.parameters)
        if ((p.role === "reference" || p.role === "key") && p.table === owner.table && String(act.args[p.name]) === owner.key)
          feeds.push({ call: at, parameter: p.name, from: found, field: (tables.get(owner.table) as Table).key });
    calls.push({ tool: act.tool, arguments: act.args as GoldCall["arguments"] });
  }
  if (calls.length === 0) return null;
  const fed = new Set(feeds.map((f) => `${f.call}\u0000${f.parameter}`));
  const actAt = calls.length - 1;
  const subjectKeyParameter = act ? ((input.models.get(act.tool)?.service as ServiceModel | undefined)?.keyParameter ?? "") : "";
  const goal: FlowGoal = {
    ...(owner ? { owner } : {}),
    identity,
    ...(subject && subject.table !== owner?.table
      ? {
          subject: {
            table: subject.table,
            entity: (tables.get(subject.table) as Table).entity,
            key: subject.key,
            statuses: (tables.get(subject.table) as Table).status?.values ?? [],
          },
        }
      : {}),
    ...(act
      ? {
          act: {
            tool: act.tool,
            catalogName: input.spec.tools.find((t) => t.name === act.tool)?.catalogName ?? act.tool,
            creates: kindOf(input.models.get(act.tool)) === "create",
            stated: Object.fromEntries(
              Object.entries(act.args).filter(([name]) => !fed.has(`${actAt}\u0000${name}`) && name !== subjectKeyParameter),
            ),
          },
        }
      : {}),
    ...(!act && calls.length > 0
      ? { asks: { tool: (calls.at(-1) as GoldCall).tool, entity: subject ? (tables.get(subject.table) as Table).entity : "account" } }
      : {}),
  };
  return { calls, feeds, goal };
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
function identityArgs(model: ToolModel, parameters: JsonSchema, record: Row, input: FlowInputs, table: Table): Row | null {
  const s = model.service as ServiceModel;
  const required = new Set((parameters.required as string[] | undefined) ?? []);
  const args: Row = {};
  for (const m of s.match) {
    if (m.mode !== "equal") continue;
    const value = matchValue(input.state, table, record, m);
    if (value === undefined || value === null || typeof value === "object") continue;
    args[m.parameter] = value;
  }
  for (const name of required) if (!(name in args)) return null;
  return Object.keys(args).length > 0 ? args : null;
}
