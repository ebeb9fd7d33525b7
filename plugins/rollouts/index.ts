// Stage `rollouts` (AgentScaler step 9): per task, simulated user–agent dialogues whose tool calls
// run in the task's sandboxed environment, many in flight at once (the sandbox work happens in the
// sandbox processes, so the event loop only routes messages). With a model, both actors ask it;
// offline, a scripted user and a scripted agent that follows the gold chain with seeded mistakes.
import { z } from "zod";
import type { Rng } from "../../kernel/rng.ts";
import { defineStage } from "../../kernel/stage.ts";
import type { DomainSchema } from "../../lib/contracts/domain-schema.ts";
import type { EnvironmentSpec } from "../../lib/contracts/environment-spec.ts";
import type { Task } from "../../lib/contracts/task.ts";
import { mistakeKinds, type Trajectory, trajectorySchema } from "../../lib/contracts/trajectory.ts";
import { runRollout } from "../../lib/episodes/dialogue.ts";
import { compileEnvironment, moduleCache } from "../../lib/episodes/environment-module.ts";
import type { JudgeContext } from "../../lib/episodes/judge/judge.ts";
import { TaskEpisode, toolDefinitions } from "../../lib/episodes/task-episode.ts";
import { ModelUser, ScriptedUser } from "../../lib/episodes/users.ts";
import type { LlmService } from "../../lib/llm/port.ts";
import type { TaskStates } from "../../lib/task-states/index.ts";
import type { CompiledModule, Sandbox } from "../../sandbox/index.ts";
import { ModelAgent } from "./model-actors.ts";
import { ScriptedAgent } from "./scripted.ts";

declare module "../../kernel/stage.ts" {
  interface ArtifactTypes {
    trajectories: Trajectory[];
  }
}

export const rolloutsOptions = z.object({
  /** Rollouts per task (each with its own seed). */
  perTask: z.number().int().min(1).max(64).default(1),
  /** Most assistant messages in a dialogue. */
  maxTurns: z.number().int().min(2).max(200).default(30),
  /** Dialogues in flight at once. */
  inFlight: z.number().int().min(1).max(1024).default(32),
  /** Rollouts per job (the unit handed to a worker with --queue). */
  batch: z.number().int().min(1).max(1024).default(16),
  /** Offline: chance that the scripted agent makes a mistake in a rollout. */
  mistakeRate: z.number().min(0).max(1).default(0.35),
  /** Offline: the mistakes it chooses from. */
  mistakes: z.array(z.enum(mistakeKinds)).default([...mistakeKinds]),
});
export type RolloutsOptions = z.infer<typeof rolloutsOptions>;

/** Runs rollouts of tasks against their environments; shared by the stage and `eval rollouts`. */
export class Rollouts {
  readonly #sandbox: Sandbox;
  readonly #llm: LlmService;
  readonly #environments: Readonly<Record<string, EnvironmentSpec>>;
  readonly #sources: Readonly<Record<string, string>>;
  readonly #states: TaskStates;
  readonly #options: RolloutsOptions;
  readonly #modules = moduleCache((domain) => compileEnvironment(this.#sandbox, this.spec(domain), this.#sources[domain] ?? ""));

  constructor(
    sandbox: Sandbox,
    llm: LlmService,
    environments: Readonly<Record<string, EnvironmentSpec>>,
    sources: Readonly<Record<string, string>>,
    states: TaskStates,
    options: RolloutsOptions,
  ) {
    this.#states = states;
    this.#sandbox = sandbox;
    this.#llm = llm;
    this.#environments = environments;
    this.#sources = sources;
    this.#options = options;
  }

  module(domain: string): Promise<CompiledModule> {
    return this.#modules(domain);
  }

  /** What the filter's judge needs to replay these tasks' calls: these environments and the domains' schemas. */
  judgeContext(schemas: Readonly<Record<string, Pick<DomainSchema, "tables">>>): JudgeContext {
    return {
      sandbox: this.#sandbox,
      spec: (domain) => this.spec(domain),
      schema: (domain) => schemas[domain] ?? { tables: [] },
      module: (domain) => this.module(domain),
      states: this.#states,
    };
  }

  spec(domain: string): EnvironmentSpec {
    const spec = this.#environments[domain];
    if (!spec) throw new Error(`no environment for domain ${domain}`);
    return spec;
  }

  async run(task: Task, attempt: number, rng: Rng, signal?: AbortSignal): Promise<Trajectory> {
    const spec = this.spec(task.domain);
    const tools = toolDefinitions(spec);
    const episode = await TaskEpisode.open(this.#sandbox, await this.module(task.domain), task, this.#states);
    const purpose = `${task.id}#${attempt}`;
    try {
      if (this.#llm.kind === "model") {
        const actors = {
          agent: new ModelAgent(this.#llm, tools, `agent:${purpose}`, signal),
          user: new ModelUser(this.#llm, task, `user:${purpose}`, signal),
        };
        const done = await runRollout(task, episode, actors, tools, this.#options);
        return { id: purpose, attempt, mistake: null, ...done };
      }
      const writes = new Set(spec.tools.filter((t) => t.access === "write").map((t) => t.name));
      const agent = new ScriptedAgent(task, writes, rng.fork("agent"), this.#options);
      const done = await runRollout(task, episode, { agent, user: new ScriptedUser(task) }, tools, this.#options);
      return { id: purpose, attempt, mistake: agent.mistake, ...done };
    } finally {
      await episode.close();
    }
  }
}

export default defineStage({
  name: "rollouts",
  description: "simulated user–agent dialogues per task, tool calls in the sandbox (offline: scripted actors with seeded mistakes)",
  version: "1",
  consumes: ["tasks", "task-states", "environments", "tool-modules"],
  produces: ["trajectories"],
  options: rolloutsOptions,
  uses: ["sandbox", "llm"],
  artifacts: {
    trajectories: {
      schema: z.array(trajectorySchema),
      format: "jsonl",
      description: "dialogues in the OpenAI chat format with tools, task id and final state hash",
    },
  },
  summary: ({ trajectories }) => {
    const calls = trajectories.reduce((sum, t) => sum + t.tool_calls, 0);
    const errors = trajectories.reduce((sum, t) => sum + t.tool_errors, 0);
    const mistakes = trajectories.filter((t) => t.mistake !== null).length;
    return [
      `trajectories: ${trajectories.length}, ${calls} tool calls (${errors} refused), ` +
        `${(trajectories.reduce((sum, t) => sum + t.turns, 0) / Math.max(1, trajectories.length)).toFixed(1)} turns each` +
        (mistakes > 0 ? `, ${mistakes} with a planted mistake` : ""),
    ];
  },
  jobs: {
    /** A batch of rollouts; its payload carries the tasks and their environments. */
    async batch(
      ctx,
      payload: {
        jobs: { task: Task; attempt: number }[];
        environments: Record<string, EnvironmentSpec>;
        sources: Record<string, string>;
        states: TaskStates;
      },
    ): Promise<Trajectory[]> {
      const [sandbox, llm] = await Promise.all([ctx.services.get("sandbox"), ctx.services.get("llm")]);
      const rollouts = new Rollouts(sandbox, llm, payload.environments, payload.sources, payload.states, ctx.options);
      return Promise.all(
        payload.jobs.map((job) => rollouts.run(job.task, job.attempt, ctx.item.rng.fork(`${job.task.id}#${job.attempt}`), ctx.item.signal)),
      );
    },
  },
  async run(ctx, inputs) {
    const jobs = inputs.tasks
      .filter((task) => inputs.environments[task.domain])
      .flatMap((task) => Array.from({ length: ctx.options.perTask }, (_, attempt) => ({ task, attempt })));
    const batches: (typeof jobs)[] = [];
    for (let i = 0; i < jobs.length; i += ctx.options.batch) batches.push(jobs.slice(i, i + ctx.options.batch));
    const done = await ctx.mapJobs<typeof jobs, Trajectory[]>(
      "batch",
      batches,
      (batch) => `${batch[0]?.task.id}#${batch[0]?.attempt}+${batch.length}`,
      (batch) => {
        const domains = [...new Set(batch.map((job) => job.task.domain))];
        return {
          jobs: batch,
          environments: Object.fromEntries(domains.map((d) => [d, inputs.environments[d]])),
          sources: Object.fromEntries(domains.map((d) => [d, inputs["tool-modules"][d] ?? ""])),
          // The base states this batch's tasks start from (a job may run on another machine).
          states: Object.fromEntries(
            [...new Set(batch.flatMap((job) => (job.task.base_state ? [job.task.base_state] : [])))].map((h) => [
              h,
              inputs["task-states"][h],
            ]),
          ),
        };
      },
      { label: "rollout batches", concurrency: Math.max(1, Math.ceil(ctx.options.inFlight / ctx.options.batch)) },
    );
    const trajectories = done.flat();
    ctx.logger.info({ trajectories: trajectories.length }, `${trajectories.length} trajectories`);
    return { trajectories };
  },
});
