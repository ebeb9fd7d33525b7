// Stage `tasks` (AgentScaler step 8, with ScaleEnv's dependency-aware expansion): per domain, seed
// walks on the confirmed dependency graph, expanded breadth-first; concrete gold calls found by
// running them; an initial state with what the chain needs and look-alike distractors; the gold
// final state's hash; an instruction and persona; and lint on a fresh environment before a task is kept.
import { z } from "zod";
import { canonicalStringify, type JsonObject, type JsonValue } from "../../kernel/canonical-json.ts";
import type { Rng } from "../../kernel/rng.ts";
import type { JobContext } from "../../kernel/stage.ts";
import { defineStage } from "../../kernel/stage.ts";
import type { DependencyGraph } from "../../lib/contracts/dependency-graph.ts";
import { applyRules } from "../../lib/contracts/domain-rules.ts";
import type { DomainSchema } from "../../lib/contracts/domain-schema.ts";
import type { DomainState } from "../../lib/contracts/domain-state.ts";
import { domainStateSchema } from "../../lib/contracts/domain-state.ts";
import type { EnvironmentSpec } from "../../lib/contracts/environment-spec.ts";
import { type DropReason, type Task, type TaskLint, taskLintSchema, taskSchema } from "../../lib/contracts/task.ts";
import { compileEnvironment, environmentModels } from "../../lib/episodes/environment-module.ts";
import { answerFacts } from "../../lib/episodes/judge/facts.ts";
import { keyInResult } from "../../lib/episodes/outcomes.ts";
import { serviceContext } from "../../lib/service-context/context.ts";
import { baseStateHash, type TaskStates } from "../../lib/task-states/index.ts";
import type { SandboxEnvironment } from "../../sandbox/index.ts";
import { coverageOf } from "./coverage.ts";
import { namedRecords, runChain } from "./gold-chain.ts";
import { writeByRules, writeWithModel } from "./instruction.ts";
import { lintTask } from "./lint.ts";
import { type Flow, serviceFlow } from "./service-flows.ts";
import { writeServiceRequest } from "./service-request.ts";
import { buildTaskState } from "./task-state.ts";
import { sampleChain } from "./walk.ts";

declare module "../../kernel/stage.ts" {
  interface ArtifactTypes {
    tasks: Task[];
    "task-states": TaskStates;
    "task-lint": TaskLint;
  }
}

export const tasksOptions = z.object({
  /** Tasks kept per domain (when `limit` is 0); default: what the domain offers (see `offered`). */
  perDomain: z.number().int().min(1).max(100_000).optional(),
  /** Tasks in all, shared over the domains in proportion to what each offers (0: `perDomain` each). `envscale run --tasks N`. */
  limit: z.number().int().min(0).default(0),
  /** Tasks per item of work: the unit kept across a kill and spread over the cores. */
  chunk: z.number().int().min(1).max(1000).default(25),
  /** Length of the seed walk. */
  walk: z.object({ min: z.number().int().min(1).default(1), max: z.number().int().min(1).default(3) }).default({ min: 1, max: 3 }),
  /** Most calls dependency-aware expansion adds to a walk. */
  expand: z.number().int().min(0).max(10).default(2),
  /** Share of tasks whose chain only reads. */
  readOnlyShare: z.number().min(0).max(1).default(0.2),
  /** A service's tasks: most changes one request asks for (after identifying the user and looking up). */
  acts: z.number().int().min(1).max(3).default(3),
  /** Share of a service's tasks whose first request the policy refuses (the user then says what they want instead). */
  refusedShare: z.number().min(0).max(1).default(0.15),
  /**
   * Look-alike records per record the gold calls name, added by the task's patch. Default: 1, and
   * none on a service's own data, which already holds hundreds of records alike (a task that
   * shares its base state whole is loaded once for all, in every stage that runs it).
   */
  distractors: z.number().int().min(0).max(5).optional(),
  /** Share of the base state's other records kept in a task's initial state (the rest are removed by its patch). */
  background: z.number().min(0).max(1).default(1),
  /** Candidates tried per task wanted, before a domain gives up. */
  attempts: z.number().int().min(1).max(20).default(4),
});
type TasksOptions = z.infer<typeof tasksOptions>;

/** A run of candidates: one item of work, journalled on its own (a kill loses at most the chunks in flight). */
interface ChunkTasks {
  tasks: Task[];
  dropped: Partial<Record<DropReason, number>>;
  candidates: number;
  examples: { reason: DropReason; detail: string }[];
}

/**
 * How many tasks a domain offers by default: its changes (each write tool two dozen times), its
 * questions (each read a few times), bounded by its records (a task per four records, so tasks do
 * not repeat the same few), and never fewer than six, nor than two per write tool (so that each
 * can appear however few records a small domain has).
 */
export function offered(access: ReadonlyMap<string, "read" | "write">, records: number): number {
  const writes = [...access.values()].filter((a) => a === "write").length;
  const reads = access.size - writes;
  return Math.max(6, writes * 2, Math.min(writes * 24 + reads * 4, Math.floor(records / 4)));
}

/** How many tasks each domain should yield: `perDomain` each, what each offers, or `limit` shared in proportion to it. */
export function quotas(offers: ReadonlyMap<string, number>, options: Pick<TasksOptions, "perDomain" | "limit">): Map<string, number> {
  const domains = [...offers.keys()];
  if (options.limit === 0) return new Map(domains.map((d) => [d, options.perDomain ?? (offers.get(d) as number)]));
  const total = domains.reduce((sum, d) => sum + (offers.get(d) as number), 0);
  const out = new Map(domains.map((d) => [d, Math.floor((options.limit * (offers.get(d) as number)) / Math.max(1, total))]));
  // What rounding left goes to the domains in order.
  let left = options.limit - [...out.values()].reduce((a, b) => a + b, 0);
  for (let i = 0; left > 0 && domains.length > 0; i = (i + 1) % domains.length, left--)
    out.set(domains[i] as string, (out.get(domains[i] as string) as number) + 1);
  return out;
}

interface ChunkInputs {
  domain: string;
  chunk: number;
  spec: EnvironmentSpec;
  schema: DomainSchema;
  source: string;
  sample: DomainState;
  /** The sample state's content hash: the base state every task of the domain names. */
  base: string;
  graph: DependencyGraph;
  /** Tasks this chunk is to keep. */
  quota: number;
  /** The service's policy, which a model writing the instruction is shown with the clock and the data. */
  policy?: string;
}

/** The tools a task may be about (stateless utilities never are), with their access. */
function taskTools(spec: EnvironmentSpec, models: ReadonlyMap<string, { service?: unknown }>): Map<string, "read" | "write"> {
  return new Map(
    spec.tools
      .filter((t) => (models.get(t.name)?.service as { kind?: string } | undefined)?.kind !== "utility")
      .map((t) => [t.name, t.access]),
  );
}

/**
 * A seeded walk that holds `target` (a write tool whose turn it is) when one of a few walks does,
 * else the first walk: tasks cover every write tool the graph lets a chain reach.
 */
function coveringChain(
  graph: DependencyGraph,
  access: ReadonlyMap<string, "read" | "write">,
  shape: Parameters<typeof sampleChain>[2],
  target: string | undefined,
  rng: Rng,
): ReturnType<typeof sampleChain> {
  const first = sampleChain(graph, access, shape, rng.fork("walk"));
  if (shape.readOnly || target === undefined || first === null || [...first.walk, ...first.expanded].includes(target)) return first;
  for (let n = 1; n <= 6; n++) {
    const next = sampleChain(graph, access, shape, rng.fork(`walk:${target}:${n}`));
    if (next && [...next.walk, ...next.expanded].includes(target)) return next;
  }
  return first;
}

/**
 * A flow's gold calls in one episode: its result when every call succeeds and every feed's value
 * is what the call it comes from returned (else null: the calls run one by one, feeds re-derived).
 */
async function goldEpisode(
  env: SandboxEnvironment,
  state: DomainState,
  options: { clock: string; seed: number },
  plan: { calls: Task["gold_calls"]; feeds: Task["feeds"] },
): Promise<{ ok: true; run: { calls: Task["gold_calls"]; feeds: Task["feeds"]; results: JsonValue[] }; hash: string } | null> {
  const episode = await env.runEpisode({ state: state as JsonObject, options, calls: plan.calls });
  if (!episode.outcomes.every((o) => o.ok)) return null;
  const results = episode.outcomes.map((o) => (o.ok ? o.result : null)) as JsonValue[];
  for (const feed of plan.feeds)
    if (String(keyInResult(results[feed.from], feed.field)) !== String(plan.calls[feed.call]?.arguments[feed.parameter])) return null;
  return { ok: true, run: { calls: plan.calls, feeds: plan.feeds, results }, hash: episode.stateHash };
}

/**
 * Base states by their hash, the object this process first received for each: a chunk's payload
 * is parsed anew, and the sandbox knows a state it holds by its object (a service's data written
 * out and loaded again per chunk cost a tenth of a second). The hash names the content, so any
 * chunk's copy will do. Bounded: a run has a base state per domain.
 */
const bases = new Map<string, DomainState>();

function sharedBase(hash: string, state: DomainState): DomainState {
  const known = bases.get(hash);
  if (known) return known;
  if (bases.size >= 64) bases.delete(bases.keys().next().value as string);
  bases.set(hash, state);
  return state;
}

async function chunkTasks(ctx: JobContext<TasksOptions>, payload: ChunkInputs): Promise<ChunkTasks> {
  const input = { ...payload, sample: sharedBase(payload.base, payload.sample) };
  const item = ctx.item;
  const sandbox = await ctx.services.get("sandbox");
  const out: ChunkTasks = { tasks: [], dropped: {}, candidates: 0, examples: [] };
  if (input.quota === 0) return out;
  const { spec, schema, options } = { ...input, options: ctx.options };
  const models = environmentModels(schema, spec);
  const access = taskTools(spec, models);
  const service = schema.source === "data";
  // Write chains take the domain's write tools in turn, so that every one of them appears in its tasks.
  const writes = [...access.entries()].filter(([, a]) => a === "write").map(([t]) => t);
  const module = await compileEnvironment(sandbox, spec, input.source);
  const llm = await ctx.services.get("llm");
  // One environment builds chains; a second, never used for building, checks them.
  const build = await sandbox.open(module, input.sample as JsonObject, { clock: spec.clock, seed: 0 });
  const fresh = await sandbox.open(module, input.sample as JsonObject, { clock: spec.clock, seed: 0 });
  const seen = new Set<string>();
  const drop = (reason: DropReason, detail: string) => {
    out.dropped[reason] = (out.dropped[reason] ?? 0) + 1;
    if (out.examples.filter((e) => e.reason === reason).length < 2) out.examples.push({ reason, detail });
  };
  try {
    for (let attempt = 0; attempt < input.quota * options.attempts && out.tasks.length < input.quota; attempt++) {
      if (item.signal.aborted) break;
      out.candidates += 1;
      // Candidates are numbered across the domain's chunks, so that chunks draw different tasks.
      const number = input.chunk * options.chunk * options.attempts + attempt;
      const rng = item.rng.fork(`candidate:${attempt}`);
      const readOnly = rng.chance(options.readOnlyShare);
      const shape = { walk: options.walk, expand: options.expand, readOnly };
      // A service's tasks are its users' flows (identify, look up, act) on its own data.
      const flow = service
        ? serviceFlow({ schema, spec, models, state: input.sample, clock: spec.clock, rng: rng.fork("flow") }, number, readOnly, {
            acts: options.acts,
            refused: rng.chance(options.refusedShare),
          })
        : null;
      const chain = flow
        ? { walk: flow.calls.map((c) => c.tool), expanded: [] }
        : (coveringChain(input.graph, access, shape, writes[number % Math.max(1, writes.length)], rng) ??
          sampleChain(input.graph, access, { ...shape, readOnly: !readOnly }, rng.fork("walk2")));
      if (!chain) {
        drop("no-chain", `no ${readOnly ? "read-only " : ""}chain on the dependency graph of ${input.domain}`);
        continue;
      }
      const tools = [...chain.walk, ...chain.expanded];
      const seed = rng.int(1, 2 ** 31 - 1);
      const chainCtx = {
        env: build,
        spec,
        schema,
        models,
        graph: input.graph,
        clock: spec.clock,
        seed,
        rng: rng.fork("args"),
        // A flow's calls are built before they run: the states between them are not needed (and a service's are large).
        trackStates: flow === null,
      };
      // Plan on the sample state: which records the chain needs. A flow's calls name them already.
      let planned: Awaited<ReturnType<typeof runChain>> | null = null;
      if (!flow) {
        planned = await runChain(chainCtx, tools, input.sample);
        if (!planned.ok) {
          // A refused expansion call leaves a shorter task that may still stand.
          const prefix = planned.run.calls.length;
          const hasWrite = planned.run.calls.some((c) => access.get(c.tool) === "write");
          if (prefix >= Math.min(options.walk.min, tools.length) && prefix > 0 && (hasWrite || readOnly))
            planned = { ok: true, run: planned.run };
          else {
            drop("gold-call-refused", planned.detail);
            continue;
          }
        }
      }
      const plan = planned?.run ?? { calls: (flow as Flow).calls, feeds: (flow as Flow).feeds, results: [], states: [] };
      const used = plan.calls.map((c) => c.tool);
      const taskState = buildTaskState(schema, input.sample, namedRecords(plan, schema, input.sample), rng.fork("state"), {
        background: options.background,
        distractors: options.distractors ?? (service ? 0 : 1),
        clock: spec.clock,
      });
      // The gold run proper, on the task's own state; fed arguments follow this run's results. A
      // flow's calls are known whole: one episode runs them, and its results must give what they feed.
      const batched = flow ? await goldEpisode(build, taskState.state, { clock: spec.clock, seed }, plan) : null;
      const gold =
        batched ?? (await runChain(chainCtx, used, taskState.state, { calls: plan.calls, feeds: plan.feeds, keepFeeds: flow !== null }));
      if (!gold.ok) {
        drop("gold-call-refused", `on the task state: ${gold.detail}`);
        continue;
      }
      // The gold run left the environment in the gold final state.
      const goldHash = batched?.hash ?? (await build.stateHash());
      const calls = gold.run.calls;
      // Duplicates: the same tool sequence on the same records.
      const signature = canonicalStringify(calls);
      if (seen.has(signature)) {
        drop("duplicate", `the same gold calls as an earlier task: ${used.join(" → ")}`);
        continue;
      }
      const initial = await build.runEpisode({ state: taskState.state as JsonObject, options: { clock: spec.clock, seed }, calls: [] });
      const key = `${input.domain}#${number}`;
      const readOnlyTask = calls.every((c) => access.get(c.tool) !== "write");
      const written =
        llm.kind === "model"
          ? await writeWithModel(
              llm,
              llm.settings.repairRounds,
              {
                taskId: key,
                spec,
                calls,
                feeds: gold.run.feeds,
                rng: rng.fork("text"),
                service: serviceContext({ clock: spec.clock, ...(input.policy ? { policy: input.policy } : {}), data: taskState.state }),
                ...(flow ? { fallback: () => writeServiceRequest(flow.goal, rng.fork("text"), { state: taskState.state }) } : {}),
              },
              item.signal,
            )
          : flow
            ? writeServiceRequest(flow.goal, rng.fork("text"), { state: taskState.state })
            : writeByRules(spec, calls, gold.run.feeds, rng.fork("text"));
      // A read-only task asks for information: what its answering read returns must reach the user.
      const facts = readOnlyTask ? answerFacts({ gold_calls: calls, intents: written.intents }, gold.run.results) : undefined;
      const task: Task = {
        // Numbered when the domain's chunks are put together.
        id: key,
        domain: input.domain,
        instruction: written.instruction,
        intents: written.intents,
        persona: written.persona,
        instruction_by: written.by,
        read_only: readOnlyTask,
        chain: { walk: chain.walk.filter((t) => used.includes(t)), expanded: chain.expanded.filter((t) => used.includes(t)) },
        gold_calls: calls,
        feeds: gold.run.feeds,
        base_state: input.base,
        state_patch: taskState.patch,
        distractors: taskState.distractors,
        initial_state_hash: initial.stateHash,
        gold_state_hash: goldHash,
        ...(facts ? { answer_facts: facts } : {}),
        seed,
        clock: spec.clock,
      };
      const lint = await lintTask(task, taskState.state, fresh, schema, models, service ? { state: taskState.state } : undefined);
      if (!lint.ok) {
        drop(lint.reason, lint.detail);
        continue;
      }
      seen.add(signature);
      out.tasks.push(task);
    }
  } finally {
    await Promise.all([build.close(), fresh.close()]);
  }
  return out;
}

export default defineStage({
  name: "tasks",
  description:
    "tasks: seed walks on the dependency graph or a service's flows, injected state and distractors, gold calls and hashes, lint",
  version: "2",
  consumes: ["schemas", "rules", "sample-states", "tool-modules", "environments", "dependency-graphs", "packs"],
  produces: ["tasks", "task-states", "task-lint"],
  options: tasksOptions,
  uses: ["sandbox", "llm"],
  artifacts: {
    tasks: {
      schema: z.array(taskSchema),
      format: "jsonl",
      description: "tasks: instruction, persona, base state hash and patch, gold calls and state hashes",
    },
    "task-states": {
      schema: z.record(z.string(), domainStateSchema) as z.ZodType<TaskStates>,
      format: "files",
      path: "states/{key}.json",
      description: "each distinct base state the tasks start from, once, under its content hash",
    },
    "task-lint": {
      schema: taskLintSchema,
      format: "json",
      description: "candidate tasks kept and dropped by reason, per domain, with coverage and the diversity of instructions",
      count: (lint) => lint.kept,
    },
  },
  summary: ({ tasks, "task-lint": lint }) => {
    const dropped = Object.entries(lint.dropped)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([reason, n]) => `${reason} ${n}`);
    const calls = tasks.reduce((sum, t) => sum + t.gold_calls.length, 0);
    const writes = Object.values(lint.coverage ?? {}).reduce(
      (sum, c) => ({ covered: sum.covered + c.write_tools.covered.length, all: sum.all + c.write_tools.all.length }),
      { covered: 0, all: 0 },
    );
    return [
      `tasks: ${tasks.length} kept of ${lint.candidates} candidates${dropped.length > 0 ? ` (dropped: ${dropped.join(", ")})` : ""}; ` +
        `${tasks.filter((t) => t.read_only).length} read-only, ${(calls / Math.max(1, tasks.length)).toFixed(1)} calls per task, ` +
        `${tasks.reduce((sum, t) => sum + t.distractors.length, 0)} distractor records; write tools covered ${writes.covered}/${writes.all}`,
    ];
  },
  jobs: {
    /** A chunk of one domain's tasks; its payload carries the domain's environment, schema, state and graph. */
    chunk: (ctx, input: ChunkInputs) => chunkTasks(ctx, input),
  },
  async run(ctx, inputs) {
    const domains = Object.keys(inputs.environments)
      .filter((d) => inputs["dependency-graphs"][d] && inputs.schemas[d])
      .sort();
    const schemas = new Map(domains.map((d) => [d, applyRules(inputs.schemas[d] as DomainSchema, inputs.rules[d])]));
    const samples = new Map(domains.map((d) => [d, (inputs["sample-states"][d] ?? {}) as DomainState]));
    const offers = new Map(
      domains.map((d) => {
        const spec = inputs.environments[d] as EnvironmentSpec;
        const access = taskTools(spec, environmentModels(schemas.get(d) as DomainSchema, spec));
        const records = Object.values(samples.get(d) as DomainState).reduce((sum, rows) => sum + Object.keys(rows).length, 0);
        return [d, offered(access, records)];
      }),
    );
    const quota = quotas(offers, ctx.options);
    const bases = new Map(domains.map((d) => [d, baseStateHash(samples.get(d) as DomainState)]));
    // Each domain's quota in chunks of `chunk` tasks: the items of work. Chunks draw apart, so a
    // few of their tasks may repeat another chunk's: each makes a tenth more, and the domain keeps its quota.
    const chunks = domains.flatMap((domain) => {
      const wanted = quota.get(domain) ?? 0;
      return Array.from({ length: Math.ceil(wanted / ctx.options.chunk) }, (_, chunk) => {
        const share = Math.min(ctx.options.chunk, wanted - chunk * ctx.options.chunk);
        return { domain, chunk, quota: share + Math.ceil(share / 10) };
      });
    });
    const policies = new Map(inputs.packs.flatMap((pack) => (pack.policy ? [[pack.name, pack.policy] as const] : [])));
    const results = await ctx.mapJobs<(typeof chunks)[number], ChunkTasks>(
      "chunk",
      chunks,
      (c) => `${c.domain}#${c.chunk}`,
      (c): ChunkInputs => ({
        ...c,
        spec: inputs.environments[c.domain] as EnvironmentSpec,
        schema: schemas.get(c.domain) as DomainSchema,
        source: inputs["tool-modules"][c.domain] ?? "",
        sample: samples.get(c.domain) as DomainState,
        base: bases.get(c.domain) as string,
        graph: inputs["dependency-graphs"][c.domain] as DependencyGraph,
        ...(policies.has(c.domain) ? { policy: policies.get(c.domain) as string } : {}),
      }),
      { label: `chunks of ${ctx.options.chunk} tasks` },
    );
    const lint: TaskLint = { candidates: 0, kept: 0, dropped: {}, domains: {}, examples: [], coverage: {} };
    const tasks: Task[] = [];
    const states: TaskStates = {};
    for (const domain of domains) {
      const mine = chunks.flatMap((c, i) => (c.domain === domain ? [results[i] as ChunkTasks] : []));
      const entry = { candidates: 0, kept: 0, dropped: {} as Record<string, number> };
      const count = (reason: string, n: number) => {
        entry.dropped[reason] = (entry.dropped[reason] ?? 0) + n;
        lint.dropped[reason] = (lint.dropped[reason] ?? 0) + n;
      };
      // Chunks drew independently: a task another chunk already gave (the same calls) is a duplicate.
      const signatures = new Set<string>();
      const kept: Task[] = [];
      for (const result of mine) {
        entry.candidates += result.candidates;
        for (const [reason, n] of Object.entries(result.dropped)) count(reason, n ?? 0);
        for (const task of result.tasks) {
          const signature = canonicalStringify(task.gold_calls);
          if (signatures.has(signature)) {
            count("duplicate", 1);
            continue;
          }
          signatures.add(signature);
          kept.push(task);
        }
        if (lint.examples.length < 40) lint.examples.push(...result.examples.map((e) => ({ domain, ...e })));
      }
      kept.splice(quota.get(domain) ?? kept.length);
      const width = Math.max(3, String(kept.length).length);
      kept.forEach((task, i) => {
        task.id = `${domain}-${String(i + 1).padStart(width, "0")}`;
      });
      entry.kept = kept.length;
      lint.candidates += entry.candidates;
      lint.kept += kept.length;
      lint.domains[domain] = entry;
      const spec = inputs.environments[domain] as EnvironmentSpec;
      (lint.coverage as NonNullable<TaskLint["coverage"]>)[domain] = coverageOf(
        kept,
        taskTools(spec, environmentModels(schemas.get(domain) as DomainSchema, spec)),
      );
      if (kept.length > 0) states[bases.get(domain) as string] = samples.get(domain) as DomainState;
      tasks.push(...kept);
    }
    ctx.logger.info({ tasks: tasks.length, candidates: lint.candidates, dropped: lint.dropped }, `${tasks.length} tasks kept`);
    return { tasks, "task-states": states, "task-lint": lint };
  },
});
