// Concrete gold calls for a chain of tools, found by running them: each call's arguments are built
// from the state the earlier calls left (verify's valid-argument builder), and where the
// dependency graph says an earlier call feeds this one, the fed argument is taken from that call's
// result (the id it returned or the record it created). Those feeds are kept: replaying the chain
// on another state re-derives them, and an agent has to look them up rather than guess them.

import type { JsonObject, JsonValue } from "../../kernel/canonical-json.ts";
import type { Rng } from "../../kernel/rng.ts";
import type { DependencyGraph } from "../../lib/contracts/dependency-graph.ts";
import type { DomainSchema, Table, ToolModel } from "../../lib/contracts/domain-schema.ts";
import type { DomainState } from "../../lib/contracts/domain-state.ts";
import type { EnvironmentSpec } from "../../lib/contracts/environment-spec.ts";
import type { Feed, GoldCall } from "../../lib/contracts/task.ts";
import { conform } from "../../lib/domain-model/json-schema.ts";
import { validArguments } from "../../lib/domain-model/valid-arguments.ts";
import { describeOutcome, keyInResult } from "../../lib/episodes/outcomes.ts";
import type { CallOutcome, SandboxEnvironment } from "../../sandbox/index.ts";

export interface ChainContext {
  env: SandboxEnvironment;
  spec: EnvironmentSpec;
  schema: DomainSchema;
  /** Tool models by tool (function) name. */
  models: ReadonlyMap<string, ToolModel>;
  graph: DependencyGraph;
  clock: string;
  seed: number;
  rng: Rng;
  /**
   * Read the state after every call (default): the graph's feeds look for records a call created,
   * and arguments are built from the state the earlier calls left. A run of calls built beforehand
   * (a service's flow) needs neither, and its states are a service's whole data.
   */
  trackStates?: boolean;
}

export interface ChainRun {
  calls: GoldCall[];
  feeds: Feed[];
  results: JsonValue[];
  /** The state before each call, and after the last: `states.length === calls.length + 1`. */
  states: DomainState[];
}

export type ChainOutcome = { ok: true; run: ChainRun } | { ok: false; run: ChainRun; failedAt: number; detail: string };

type Row = Record<string, unknown>;
const KEY_ROLES = new Set(["key", "source"]);

/** How many distinct values of `key` a result holds (records listed in it, or in its arrays). */
function recordsIn(result: unknown, key: string): number {
  const values = new Set<string>();
  const visit = (value: unknown, depth: number): void => {
    if (depth > 3 || value === null || typeof value !== "object") return;
    if (Array.isArray(value)) for (const item of value) visit(item, depth + 1);
    else {
      const own = (value as Row)[key];
      if (typeof own === "string" || typeof own === "number") values.add(String(own));
      for (const item of Object.values(value)) if (Array.isArray(item)) visit(item, depth + 1);
    }
  };
  visit(result, 0);
  return values.size;
}

/** The key of the record a call acted on: given as its key, returned, or created. */
function touchedKey(model: ToolModel, table: Table, args: Row, result: unknown, before: DomainState, after: DomainState): unknown {
  const given = model.parameters.find((p) => KEY_ROLES.has(p.role) && (p.table ?? model.table) === table.name);
  if (given && args[given.name] !== undefined && model.operation !== "create") return args[given.name];
  const returned = keyInResult(result, table.key);
  // A result listing several records does not say which one the task means: not a feed.
  if (returned !== undefined) return recordsIn(result, table.key) > 1 ? undefined : returned;
  return Object.keys(after[table.name] ?? {}).find((k) => !Object.hasOwn(before[table.name] ?? {}, k));
}

/** Feeds into call `j` from earlier calls (the latest earlier call wins), as the graph's edges allow. */
function feedsInto(ctx: ChainContext, tools: readonly string[], j: number, run: ChainRun): { feed: Feed; value: unknown }[] {
  const tool = tools[j] as string;
  const model = ctx.models.get(tool) as ToolModel;
  const tables = new Map(ctx.schema.tables.map((t) => [t.name, t]));
  const found = new Map<string, { feed: Feed; value: unknown }>();
  for (let i = 0; i < j; i++) {
    for (const edge of ctx.graph.edges) {
      if (edge.from !== tools[i] || edge.to !== tool) continue;
      const from = ctx.models.get(edge.from) as ToolModel;
      let parameter: string | undefined;
      let table: Table | undefined;
      if (edge.via.kind === "output") {
        parameter = edge.via.parameter;
        table = tables.get(edge.via.table);
      } else {
        table = tables.get(edge.via.table);
        parameter = model.parameters.find(
          (p) => (p.role === "key" && model.table === table?.name) || (p.role === "reference" && p.table === table?.name),
        )?.name;
        if (model.operation === "create" || model.operation === "upsert") parameter = undefined;
      }
      if (!parameter || !table) continue;
      const value = touchedKey(
        from,
        table,
        (run.calls[i]?.arguments ?? {}) as Row,
        run.results[i],
        run.states[i] as DomainState,
        run.states[i + 1] as DomainState,
      );
      if (value === undefined) continue;
      // A value the parameter's schema would bend (a text id into an integer) does not carry over.
      const schema = ((ctx.spec.tools.find((t) => t.name === tool)?.parameters.properties ?? {}) as Record<string, Row>)[parameter] ?? {};
      if (String(conform(value, schema, parameter, ctx.rng.fork("probe"), ctx.clock)) !== String(value)) continue;
      found.set(parameter, { feed: { call: j, parameter, from: i, field: table.key }, value });
    }
  }
  return [...found.values()];
}

/** Apply feeds to arguments, bent to the parameter's schema (an integer id stays an integer). */
function applyFeeds(ctx: ChainContext, tool: string, args: Row, feeds: readonly { feed: Feed; value: unknown }[]): Row {
  const properties = (ctx.spec.tools.find((t) => t.name === tool)?.parameters.properties ?? {}) as Record<string, Row>;
  const out = { ...args };
  for (const { feed, value } of feeds)
    out[feed.parameter] = conform(value, properties[feed.parameter] ?? {}, feed.parameter, ctx.rng, ctx.clock);
  return out;
}

async function step(
  ctx: ChainContext,
  tool: string,
  args: Row,
  before: DomainState,
): Promise<{ outcome: CallOutcome; after: DomainState | null }> {
  const outcome = await ctx.env.call(tool, args);
  if (!outcome.ok) return { outcome, after: null };
  // Untracked, the state before stands for the state after: nothing reads it but a created record's search, which then finds none.
  return { outcome, after: ctx.trackStates === false ? before : ((await ctx.env.state()) as DomainState) };
}

/**
 * Run `tools` in order from `state`, building arguments (up to `attempts` tries per call) or, when
 * `planned` is given, replaying its arguments with feeds re-derived from this run's results.
 */
export async function runChain(
  ctx: ChainContext,
  tools: readonly string[],
  state: DomainState,
  planned?: { calls: readonly GoldCall[]; feeds: readonly Feed[]; keepFeeds?: boolean },
  attempts = 3,
): Promise<ChainOutcome> {
  await ctx.env.reset(state as JsonObject, { clock: ctx.clock, seed: ctx.seed });
  const run: ChainRun = { calls: [], feeds: [], results: [], states: [state] };
  for (let j = 0; j < tools.length; j++) {
    const tool = tools[j] as string;
    const model = ctx.models.get(tool);
    if (!model) return { ok: false, run, failedAt: j, detail: `${tool} has no model in the schema` };
    const derived = feedsInto(ctx, tools, j, run);
    // A replay keeps the feeds the graph re-derives on this run. A flow (`keepFeeds`) keeps its own:
    // re-derived where the graph shows them, else read off the source call's result.
    const fed = !planned
      ? derived
      : planned.keepFeeds
        ? planned.feeds
            .filter((p) => p.call === j)
            .map(
              (p) =>
                derived.find((d) => d.feed.parameter === p.parameter) ?? {
                  feed: p,
                  value: keyInResult(run.results[p.from], p.field) ?? planned.calls[j]?.arguments[p.parameter],
                },
            )
        : derived.filter((f) => planned.feeds.some((p) => p.call === j && p.parameter === f.feed.parameter));
    let last = "";
    let done = false;
    for (let attempt = 0; attempt < (planned ? 1 : attempts) && !done; attempt++) {
      let args: Row;
      if (planned) args = { ...((planned.calls[j]?.arguments ?? {}) as Row) };
      else {
        const built = validArguments(
          {
            model,
            functionName: tool,
            parameters: (ctx.spec.tools.find((t) => t.name === tool)?.parameters ?? { type: "object" }) as Row,
            schema: { ...ctx.schema, tools: [...ctx.models.values()] },
            state: run.states[j] as DomainState,
            clock: ctx.clock,
            rng: ctx.rng.fork(`${j}:${tool}#${attempt}`),
          },
          attempt,
        );
        if (!built) {
          last = `no valid call of ${tool} can be built from the state`;
          break;
        }
        args = built.args;
      }
      args = applyFeeds(ctx, tool, args, fed);
      const { outcome, after } = await step(ctx, tool, args, run.states[j] as DomainState);
      if (!outcome.ok || !after) {
        last = `${tool}(${JSON.stringify(args)}) was refused: ${describeOutcome(outcome)}`;
        continue;
      }
      run.calls.push({ tool, arguments: args as GoldCall["arguments"] });
      run.feeds.push(...fed.map((f) => f.feed));
      run.results.push(outcome.result);
      run.states.push(after);
      done = true;
    }
    if (!done) return { ok: false, run, failedAt: j, detail: last };
  }
  return { ok: true, run };
}

/** Every record's reference by its key's text, built once per state object (a service's state is its whole data). */
const keyIndexes = new WeakMap<DomainState, Map<string, string[]>>();

function keyIndex(schema: DomainSchema, state: DomainState): Map<string, string[]> {
  const known = keyIndexes.get(state);
  if (known) return known;
  const keysByValue = new Map<string, string[]>();
  for (const table of schema.tables)
    for (const key of Object.keys(state[table.name] ?? {})) {
      const refs = keysByValue.get(key);
      if (refs) refs.push(`${table.name}\u0000${key}`);
      else keysByValue.set(key, [`${table.name}\u0000${key}`]);
    }
  keyIndexes.set(state, keysByValue);
  return keysByValue;
}

/** Keys of records a chain names in its arguments or sees in its results, by table (only ones in `state`). */
export function namedRecords(run: ChainRun, schema: DomainSchema, state: DomainState): { direct: Set<string>; seen: Set<string> } {
  const direct = new Set<string>();
  const seen = new Set<string>();
  const keysByValue = keyIndex(schema, state);
  const visit = (value: unknown, into: Set<string>, depth = 0): void => {
    if (depth > 6 || value === null || value === undefined) return;
    if (typeof value === "string" || typeof value === "number") {
      for (const ref of keysByValue.get(String(value)) ?? []) into.add(ref);
    } else if (Array.isArray(value)) for (const item of value) visit(item, into, depth + 1);
    else if (typeof value === "object") for (const item of Object.values(value)) visit(item, into, depth + 1);
  };
  for (const call of run.calls) visit(call.arguments, direct);
  for (const result of run.results) visit(result, seen);
  return { direct, seen };
}
