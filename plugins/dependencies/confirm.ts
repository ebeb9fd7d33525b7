// Confirming a candidate dependency by running it: A with valid arguments, then B fed from A.
//   output edge: B takes the key A returned (or created) and must succeed with it;
//   state edge:  B looks at the record A changed, and answers differently than without A (or only
//                succeeds after A).

import type { JsonObject } from "../../kernel/canonical-json.ts";
import type { Rng } from "../../kernel/rng.ts";
import type { DomainSchema, Table, ToolModel } from "../../lib/contracts/domain-schema.ts";
import type { DomainState } from "../../lib/contracts/domain-state.ts";
import { conform } from "../../lib/domain-model/json-schema.ts";
import { validArguments } from "../../lib/domain-model/valid-arguments.ts";
import { describeOutcome, keyInResult } from "../../lib/episodes/outcomes.ts";
import { applyStateChanges, type CallOutcome, type SandboxEnvironment } from "../../sandbox/index.ts";
import type { Candidate } from "./derive.ts";

export interface Confirmation {
  confirmed: boolean;
  /** What was run and what came of it. */
  evidence: string;
}

export interface ConfirmContext {
  env: SandboxEnvironment;
  schema: DomainSchema;
  state: DomainState;
  clock: string;
  parameters: ReadonlyMap<string, Record<string, unknown>>;
  names: ReadonlyMap<string, string>;
  rng: Rng;
}

type Row = Record<string, unknown>;

function argsFor(ctx: ConfirmContext, model: ToolModel, attempt: number): Row | null {
  const built = validArguments(
    {
      model,
      functionName: ctx.names.get(model.tool) as string,
      parameters: ctx.parameters.get(model.tool) ?? { type: "object" },
      schema: ctx.schema,
      state: ctx.state,
      clock: ctx.clock,
      rng: ctx.rng.fork(`${model.tool}#${attempt}`),
    },
    attempt,
  );
  return built?.args ?? null;
}

async function episode(ctx: ConfirmContext, calls: { tool: string; args: Row }[], exportChanges = false) {
  const run = await ctx.env.runEpisode({
    state: ctx.state as JsonObject,
    options: { clock: ctx.clock, seed: 0 },
    calls: calls.map((c) => ({ tool: ctx.names.get(c.tool) as string, arguments: c.args })),
    exportChanges,
  });
  if (!exportChanges || run.changes) return run;
  // An episode that ran step by step returns no changes: the state whole, then.
  return ctx.env.runEpisode({
    state: ctx.state as JsonObject,
    options: { clock: ctx.clock, seed: 0 },
    calls: calls.map((c) => ({ tool: ctx.names.get(c.tool) as string, arguments: c.args })),
    exportState: true,
  });
}

/** Sets B's arguments bent to B's parameter schema (a date-time field feeding a date parameter). */
function bSetter(ctx: ConfirmContext, b: ToolModel, args: Row): (name: string, value: unknown) => void {
  const properties = (ctx.parameters.get(b.tool)?.properties ?? {}) as Record<string, Record<string, unknown>>;
  return (name, value) => {
    args[name] = conform(value, properties[name] ?? {}, name, ctx.rng, ctx.clock);
  };
}

const brief = (outcome: CallOutcome | undefined) => (outcome ? describeOutcome(outcome) : "no outcome");

/** Confirm with A's arguments built from a few different records (B's preconditions may rule some out). */
export async function confirm(ctx: ConfirmContext, candidate: Candidate, attempts = 3): Promise<Confirmation> {
  let last: Confirmation = { confirmed: false, evidence: "not tried" };
  for (let attempt = 0; attempt < attempts; attempt++) {
    last = await confirmOnce(ctx, candidate, attempt);
    if (last.confirmed) return last;
  }
  return last;
}

async function confirmOnce(ctx: ConfirmContext, candidate: Candidate, attempt: number): Promise<Confirmation> {
  const models = new Map(ctx.schema.tools.map((t) => [t.tool, t]));
  const tables = new Map(ctx.schema.tables.map((t) => [t.name, t]));
  const a = models.get(candidate.from) as ToolModel;
  const b = models.get(candidate.to) as ToolModel;
  const aArgs = argsFor(ctx, a, attempt);
  const bBase = argsFor(ctx, b, attempt);
  if (!aArgs || !bBase)
    return { confirmed: false, evidence: `no valid call of ${aArgs ? candidate.to : candidate.from} could be built from the sample state` };

  const first = await episode(ctx, [{ tool: a.tool, args: aArgs }], true);
  const aOutcome = first.outcomes[0];
  if (!aOutcome?.ok) return { confirmed: false, evidence: `${candidate.from} was refused: ${brief(aOutcome)}` };
  // What A changed, on the sample state (a service's whole data need not cross for it).
  const after = (first.changes ? applyStateChanges(ctx.state as JsonObject, first.changes) : (first.state ?? {})) as DomainState;

  if (candidate.via.kind === "output") {
    const via = candidate.via;
    const table = tables.get(via.table) as Table;
    let value = keyInResult(aOutcome.result, via.field);
    if (value === undefined) {
      // A created a record without returning it: the new key in the state.
      const before = new Set(Object.keys(ctx.state[table.name] ?? {}));
      value = Object.keys(after[table.name] ?? {}).find((k) => !before.has(k));
    }
    if (value === undefined) return { confirmed: false, evidence: `${candidate.from} returned no ${via.field}` };
    const record = after[table.name]?.[String(value)] ?? {};
    const bArgs: Row = { ...bBase };
    const set = bSetter(ctx, b, bArgs);
    set(via.parameter, value);
    // Other inputs of B that name fields of the same record follow it (a card's account).
    for (const p of b.parameters)
      if (p.name !== via.parameter && p.role === "reference" && p.field && p.field in record) set(p.name, record[p.field]);
    const run = await episode(ctx, [
      { tool: a.tool, args: aArgs },
      { tool: b.tool, args: bArgs },
    ]);
    const outcome = run.outcomes[1];
    return outcome?.ok
      ? {
          confirmed: true,
          evidence: `${candidate.from} gave ${via.field} ${JSON.stringify(value)}; ${candidate.to}(${via.parameter}) succeeded with it`,
        }
      : {
          confirmed: false,
          evidence: `${candidate.to} refused ${candidate.from}'s ${via.field} ${JSON.stringify(value)}: ${brief(outcome)}`,
        };
  }

  // State edge: B looks at the record A touched in the shared table.
  const table = tables.get(candidate.via.table) as Table;
  const inTable = (model: ToolModel, roles: readonly string[]) =>
    model.parameters.find((p) => roles.includes(p.role) && (p.table ?? model.table) === table.name);
  const created = Object.keys(after[table.name] ?? {}).find((k) => !Object.hasOwn(ctx.state[table.name] ?? {}, k));
  const touchedKey =
    aArgs[inTable(a, ["key", "source"])?.name ?? ""] ??
    keyInResult(aOutcome.result, table.key) ??
    created ??
    aArgs[inTable(a, ["reference"])?.name ?? ""];
  const required = new Set(((ctx.parameters.get(b.tool)?.required as string[] | undefined) ?? []).filter(Boolean));
  const bArgs: Row = { ...bBase };
  const set = bSetter(ctx, b, bArgs);
  if (touchedKey !== undefined) {
    const record = after[table.name]?.[String(touchedKey)] ?? ctx.state[table.name]?.[String(touchedKey)] ?? {};
    for (const p of b.parameters) {
      const filter = p.role === "field" || p.role === "lower-bound" || p.role === "upper-bound" || p.role === "query";
      if (b.table === table.name && p.role === "key") set(p.name, touchedKey);
      else if (p.role === "reference" && p.table === table.name) set(p.name, touchedKey);
      else if (
        b.table === table.name &&
        (p.role === "field" || p.role === "reference" || p.role === "lower-bound" || p.role === "upper-bound") &&
        p.field &&
        record[p.field] != null
      )
        set(p.name, record[p.field]);
      // Filters taken from another record would hide the touched one; required ones stay.
      else if (filter && !required.has(p.name)) delete bArgs[p.name];
    }
  }
  const [alone, together] = await Promise.all([
    episode(ctx, [{ tool: b.tool, args: bArgs }]),
    episode(ctx, [
      { tool: a.tool, args: aArgs },
      { tool: b.tool, args: bArgs },
    ]),
  ]);
  const before = alone.outcomes[0];
  const later = together.outcomes[1];
  if (!later?.ok) return { confirmed: false, evidence: `${candidate.to} was refused after ${candidate.from}: ${brief(later)}` };
  if (!before?.ok) return { confirmed: true, evidence: `${candidate.to} succeeds only after ${candidate.from} (alone: ${brief(before)})` };
  return JSON.stringify(before.result) !== JSON.stringify(later.result)
    ? { confirmed: true, evidence: `${candidate.to} answers differently after ${candidate.from} changed ${table.name}` }
    : { confirmed: false, evidence: `${candidate.to} answered the same with and without ${candidate.from}` };
}
