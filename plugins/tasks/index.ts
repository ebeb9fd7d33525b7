// Stage `tasks` (AgentScaler step 8, with ScaleEnv's dependency-aware expansion): per domain, seed
// walks on the confirmed dependency graph, expanded breadth-first; concrete gold calls found by
// running them; an initial state with what the chain needs and look-alike distractors; the gold
// final state's hash; an instruction and persona; and lint on a fresh environment before a task is kept.
import { z } from "zod";
import { canonicalStringify, type JsonObject } from "../../kernel/canonical-json.ts";
import type { JobContext } from "../../kernel/stage.ts";
import { defineStage } from "../../kernel/stage.ts";
import type { DependencyGraph } from "../../lib/contracts/dependency-graph.ts";
import { applyRules } from "../../lib/contracts/domain-rules.ts";
import type { DomainSchema } from "../../lib/contracts/domain-schema.ts";
import type { DomainState } from "../../lib/contracts/domain-state.ts";
import type { EnvironmentSpec } from "../../lib/contracts/environment-spec.ts";
import { type DropReason, type Task, type TaskLint, taskLintSchema, taskSchema } from "../../lib/contracts/task.ts";
import { compileEnvironment, environmentModels } from "../../lib/episodes/environment-module.ts";
import { answerFacts } from "../../lib/episodes/judge/facts.ts";
import { serviceContext } from "../../lib/service-context/context.ts";
import { namedRecords, runChain } from "./gold-chain.ts";
import { writeByRules, writeWithModel } from "./instruction.ts";
import { lintTask } from "./lint.ts";
import { serviceFlow } from "./service-flows.ts";
import { writeServiceRequest } from "./service-request.ts";
import { buildTaskState } from "./task-state.ts";
import { sampleChain } from "./walk.ts";

declare module "../../kernel/stage.ts" {
  interface ArtifactTypes {
    tasks: Task[];
    "task-lint": TaskLint;
  }
}

export const tasksOptions = z.object({
  /** Tasks kept per domain (when `limit` is 0). */
  perDomain: z.number().int().min(1).max(10_000).default(6),
  /** Tasks in all, spread evenly over the domains (0: `perDomain` each). */
  limit: z.number().int().min(0).default(0),
  /** Length of the seed walk. */
  walk: z.object({ min: z.number().int().min(1).default(1), max: z.number().int().min(1).default(3) }).default({ min: 1, max: 3 }),
  /** Most calls dependency-aware expansion adds to a walk. */
  expand: z.number().int().min(0).max(10).default(2),
  /** Share of tasks whose chain only reads. */
  readOnlyShare: z.number().min(0).max(1).default(0.25),
  /** Look-alike records per record the gold calls name. */
  distractors: z.number().int().min(0).max(5).default(1),
  /** Share of the sample state's other records kept in a task's initial state. */
  background: z.number().min(0).max(1).default(0.6),
  /** Candidates tried per task wanted, before a domain gives up. */
  attempts: z.number().int().min(1).max(20).default(4),
});
type TasksOptions = z.infer<typeof tasksOptions>;

interface DomainTasks {
  tasks: Task[];
  dropped: Partial<Record<DropReason, number>>;
  candidates: number;
  examples: { reason: DropReason; detail: string }[];
}

/** How many tasks each domain should yield. */
function quotas(domains: readonly string[], options: TasksOptions): Map<string, number> {
  if (options.limit === 0) return new Map(domains.map((d) => [d, options.perDomain]));
  const base = Math.floor(options.limit / Math.max(1, domains.length));
  const extra = options.limit % Math.max(1, domains.length);
  return new Map(domains.map((d, i) => [d, base + (i < extra ? 1 : 0)]));
}

interface DomainInputs {
  domain: string;
  spec: EnvironmentSpec;
  schema: DomainSchema;
  source: string;
  sample: DomainState;
  graph: DependencyGraph;
  quota: number;
  /** The service's policy, which a model writing the instruction is shown with the clock and the data. */
  policy?: string;
}

async function domainTasks(ctx: JobContext<TasksOptions>, input: DomainInputs): Promise<DomainTasks> {
  const item = ctx.item;
  const sandbox = await ctx.services.get("sandbox");
  const out: DomainTasks = { tasks: [], dropped: {}, candidates: 0, examples: [] };
  if (input.quota === 0) return out;
  const { spec, schema, options } = { ...input, options: ctx.options };
  const models = environmentModels(schema, spec);
  // Stateless tools (a calculator, a scratchpad) are never what a task is about.
  const access = new Map(spec.tools.filter((t) => models.get(t.name)?.service?.kind !== "utility").map((t) => [t.name, t.access]));
  const service = schema.source === "data";
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
      const rng = item.rng.fork(`candidate:${attempt}`);
      const readOnly = rng.chance(options.readOnlyShare);
      const shape = { walk: options.walk, expand: options.expand, readOnly };
      // A service's tasks are its users' flows (identify, look up, act) on its own data.
      const flow = service
        ? serviceFlow({ schema, spec, models, state: input.sample, clock: spec.clock, rng: rng.fork("flow") }, attempt, readOnly)
        : null;
      const chain = flow
        ? { walk: flow.calls.map((c) => c.tool), expanded: [] }
        : (sampleChain(input.graph, access, shape, rng.fork("walk")) ??
          sampleChain(input.graph, access, { ...shape, readOnly: !readOnly }, rng.fork("walk2")));
      if (!chain) {
        drop("no-chain", `no ${readOnly ? "read-only " : ""}chain on the dependency graph of ${input.domain}`);
        continue;
      }
      const tools = [...chain.walk, ...chain.expanded];
      const seed = rng.int(1, 2 ** 31 - 1);
      const chainCtx = { env: build, spec, schema, models, graph: input.graph, clock: spec.clock, seed, rng: rng.fork("args") };
      // Plan on the sample state: which records the chain needs.
      let planned = await runChain(chainCtx, tools, input.sample, flow ? { ...flow, keepFeeds: true } : undefined);
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
      const used = planned.run.calls.map((c) => c.tool);
      const taskState = buildTaskState(schema, input.sample, namedRecords(planned.run, schema, input.sample), rng.fork("state"), {
        background: options.background,
        distractors: options.distractors,
        clock: spec.clock,
      });
      // The gold run proper, on the task's own state; fed arguments follow this run's results.
      const gold = await runChain(chainCtx, used, taskState.state, {
        calls: planned.run.calls,
        feeds: planned.run.feeds,
        keepFeeds: flow !== null,
      });
      if (!gold.ok) {
        drop("gold-call-refused", `on the task state: ${gold.detail}`);
        continue;
      }
      // The gold run left the environment in the gold final state.
      const goldHash = await build.stateHash();
      const calls = gold.run.calls;
      const signature = canonicalStringify(calls);
      if (seen.has(signature)) {
        drop("duplicate", `the same gold calls as an earlier task: ${used.join(" → ")}`);
        continue;
      }
      const initial = await build.runEpisode({ state: taskState.state as JsonObject, options: { clock: spec.clock, seed }, calls: [] });
      const id = `${input.domain}-${String(out.tasks.length + 1).padStart(3, "0")}`;
      const readOnlyTask = calls.every((c) => access.get(c.tool) === "read");
      const written =
        llm.kind === "model"
          ? await writeWithModel(
              llm,
              llm.settings.repairRounds,
              {
                taskId: id,
                spec,
                calls,
                feeds: gold.run.feeds,
                rng: rng.fork("text"),
                service: serviceContext({ clock: spec.clock, ...(input.policy ? { policy: input.policy } : {}), data: taskState.state }),
              },
              item.signal,
            )
          : flow
            ? writeServiceRequest(flow.goal, rng.fork("text"))
            : writeByRules(spec, calls, gold.run.feeds, rng.fork("text"));
      // A read-only task asks for information: what its answering read returns must reach the user.
      const facts = readOnlyTask ? answerFacts({ gold_calls: calls, intents: written.intents }, gold.run.results) : undefined;
      const task: Task = {
        id,
        domain: input.domain,
        instruction: written.instruction,
        intents: written.intents,
        persona: written.persona,
        instruction_by: written.by,
        read_only: readOnlyTask,
        chain: { walk: chain.walk.filter((t) => used.includes(t)), expanded: chain.expanded.filter((t) => used.includes(t)) },
        gold_calls: calls,
        feeds: gold.run.feeds,
        initial_state: taskState.state as Task["initial_state"],
        distractors: taskState.distractors,
        initial_state_hash: initial.stateHash,
        gold_state_hash: goldHash,
        ...(facts ? { answer_facts: facts } : {}),
        seed,
        clock: spec.clock,
      };
      const lint = await lintTask(task, fresh, schema, models);
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
  description: "tasks: seed walks on the dependency graph, expansion, injected state and distractors, gold calls and hashes, lint",
  version: "1",
  consumes: ["schemas", "rules", "sample-states", "tool-modules", "environments", "dependency-graphs", "packs"],
  produces: ["tasks", "task-lint"],
  options: tasksOptions,
  uses: ["sandbox", "llm"],
  artifacts: {
    tasks: {
      schema: z.array(taskSchema),
      format: "jsonl",
      description: "tasks: instruction, persona, initial state, gold calls and state hashes",
    },
    "task-lint": {
      schema: taskLintSchema,
      format: "json",
      description: "candidate tasks kept and dropped by reason, per domain",
      count: (lint) => lint.kept,
    },
  },
  summary: ({ tasks, "task-lint": lint }) => {
    const dropped = Object.entries(lint.dropped)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([reason, n]) => `${reason} ${n}`);
    const calls = tasks.reduce((sum, t) => sum + t.gold_calls.length, 0);
    return [
      `tasks: ${tasks.length} kept of ${lint.candidates} candidates${dropped.length > 0 ? ` (dropped: ${dropped.join(", ")})` : ""}; ` +
        `${tasks.filter((t) => t.read_only).length} read-only, ${(calls / Math.max(1, tasks.length)).toFixed(1)} calls per task, ` +
        `${tasks.reduce((sum, t) => sum + t.distractors.length, 0)} distractor records`,
    ];
  },
  jobs: {
    /** One domain's tasks; its payload carries the domain's environment, schema, state and graph. */
    domain: (ctx, input: DomainInputs) => domainTasks(ctx, input),
  },
  async run(ctx, inputs) {
    const domains = Object.keys(inputs.environments)
      .filter((d) => inputs["dependency-graphs"][d] && inputs.schemas[d])
      .sort();
    const quota = quotas(domains, ctx.options);
    const policies = new Map(inputs.packs.flatMap((pack) => (pack.policy ? [[pack.name, pack.policy] as const] : [])));
    const results = await ctx.mapJobs<string, DomainTasks>(
      "domain",
      domains,
      (domain) => domain,
      (domain): DomainInputs => ({
        domain,
        spec: inputs.environments[domain] as EnvironmentSpec,
        schema: applyRules(inputs.schemas[domain] as DomainSchema, inputs.rules[domain]),
        source: inputs["tool-modules"][domain] ?? "",
        sample: (inputs["sample-states"][domain] ?? {}) as DomainState,
        graph: inputs["dependency-graphs"][domain] as DependencyGraph,
        quota: quota.get(domain) ?? 0,
        ...(policies.has(domain) ? { policy: policies.get(domain) as string } : {}),
      }),
      { label: "domains" },
    );
    const lint: TaskLint = { candidates: 0, kept: 0, dropped: {}, domains: {}, examples: [] };
    const tasks: Task[] = [];
    domains.forEach((domain, i) => {
      const result = results[i] as DomainTasks;
      tasks.push(...result.tasks);
      lint.candidates += result.candidates;
      lint.kept += result.tasks.length;
      for (const [reason, n] of Object.entries(result.dropped)) lint.dropped[reason] = (lint.dropped[reason] ?? 0) + (n ?? 0);
      lint.domains[domain] = {
        candidates: result.candidates,
        kept: result.tasks.length,
        dropped: result.dropped as Record<string, number>,
      };
      if (lint.examples.length < 40) lint.examples.push(...result.examples.map((e) => ({ domain, ...e })));
    });
    ctx.logger.info({ tasks: tasks.length, candidates: lint.candidates, dropped: lint.dropped }, `${tasks.length} tasks kept`);
    return { tasks, "task-lint": lint };
  },
});
