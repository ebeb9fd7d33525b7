// Shared by the experience tests: one offline run of the example catalog, and crafted
// trajectories — dialogues whose tool calls really run in the task's environment.
import { join } from "node:path";
import { afterAll, beforeAll, inject } from "vitest";
import type { DomainSchema } from "../../lib/contracts/domain-schema.ts";
import type { DomainState } from "../../lib/contracts/domain-state.ts";
import type { Domains } from "../../lib/contracts/domains.ts";
import type { EnvironmentSpec } from "../../lib/contracts/environment-spec.ts";
import type { Task } from "../../lib/contracts/task.ts";
import type { Trajectory } from "../../lib/contracts/trajectory.ts";
import { compileEnvironment, moduleCache } from "../../lib/episodes/environment-module.ts";
import { type JudgeContext, judgeTrajectory, type Verdict } from "../../lib/episodes/judge/judge.ts";
import { defaultValidityRules } from "../../lib/episodes/judge/validity.ts";
import { observationText, TaskEpisode, toolDefinitions } from "../../lib/episodes/task-episode.ts";
import type { ChatMessage } from "../../lib/llm/port.ts";
import { initialStateOf, type TaskStates } from "../../lib/task-states/index.ts";
import { type CompiledModule, Sandbox } from "../../sandbox/index.ts";
import { repoRoot } from "./helpers.ts";
import { type PipelineRun, type RunView, runStages, viewRun } from "./pipeline.ts";

export const exampleCatalog = join(repoRoot, "examples", "catalog");

export function runExample(runDir?: string): Promise<PipelineRun> {
  return runStages({ config: { stages: { ingest: { sources: [exampleCatalog] } } }, ...(runDir ? { runDir } : {}) });
}

/** The domain of a run that holds `tool`; fails the test when none does. */
export function domainOf(run: RunView, tool: string): string {
  const found = run.json<Domains>("domains.json").domains.find((d) => d.tools.includes(tool));
  if (!found) throw new Error(`no domain holds ${tool}`);
  return found.name;
}

/**
 * The shared example run and a workbench on it, opened before the calling file's tests and closed
 * after them (call it at the top of a test file).
 */
export function exampleWorkbench(): { readonly run: RunView; readonly bench: Workbench } {
  const opened = {} as { run: RunView; bench: Workbench };
  beforeAll(async () => {
    opened.run = sharedExampleRun();
    opened.bench = await Workbench.open(opened.run);
  }, 90_000);
  afterAll(async () => {
    await opened.bench?.close();
  });
  return opened;
}

/** The example run made once before the tests (test/support/global-setup.ts): read it, never write into it. */
export function sharedExampleRun(): RunView {
  return viewRun(inject("exampleRunDir"));
}

export function jsonLines<T>(text: string): T[] {
  return text
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as T);
}

/** A run's tasks, environments and a sandbox to judge and craft trajectories with. */
export class Workbench {
  readonly run: RunView;
  readonly sandbox: Sandbox;
  readonly tasks: Task[];
  /** The base states the tasks name. */
  readonly states: TaskStates;
  readonly #modules = moduleCache((domain) =>
    compileEnvironment(this.sandbox, this.spec(domain), this.run.text(`envs/${domain}/tools.ts`)),
  );

  private constructor(run: RunView, sandbox: Sandbox) {
    this.run = run;
    this.sandbox = sandbox;
    this.tasks = jsonLines<Task>(run.text("tasks.jsonl"));
    this.states = Object.fromEntries(
      [...new Set(this.tasks.flatMap((t) => (t.base_state ? [t.base_state] : [])))].map((h) => [
        h,
        run.json<DomainState>(`states/${h}.json`),
      ]),
    );
  }

  static async open(run: RunView): Promise<Workbench> {
    return new Workbench(run, await Sandbox.start({ processes: 1 }));
  }

  spec(domain: string): EnvironmentSpec {
    return this.run.json<EnvironmentSpec>(`envs/${domain}/environment.json`);
  }

  module(domain: string): Promise<CompiledModule> {
    return this.#modules(domain);
  }

  get judge(): JudgeContext {
    return {
      sandbox: this.sandbox,
      spec: (d) => this.spec(d),
      schema: (d) => this.run.json<DomainSchema>(`envs/${d}/schema.json`),
      module: (d) => this.module(d),
      states: this.states,
    };
  }

  /** A write task of the run (the first that `predicate` accepts); fails the test when there is none. */
  writeTask(predicate: (task: Task, writes: boolean[]) => boolean = () => true): Task {
    const task = this.tasks.find((t) => !t.read_only && predicate(t, this.writes(t)));
    if (!task) throw new Error("the example run has no write task of that shape");
    return task;
  }

  /** A read-only task of the run; fails the test when there is none. */
  readTask(): Task {
    const task = this.tasks.find((t) => t.read_only);
    if (!task) throw new Error("the example run has no read-only task");
    return task;
  }

  /** The filter's judgement of a trajectory (default validity rules, exact match on). */
  judgeTrajectory(task: Task, trajectory: Trajectory): Promise<Verdict> {
    return judgeTrajectory(this.judge, task, trajectory, { validity: defaultValidityRules, exactMatch: true });
  }

  /** A task's initial state, resolved from its base state and patch. */
  initial(task: Task): DomainState {
    return initialStateOf(task, this.states) as DomainState;
  }

  writes(task: Task): boolean[] {
    const spec = this.spec(task.domain);
    return task.gold_calls.map((c) => spec.tools.find((t) => t.name === c.tool)?.access === "write");
  }

  /**
   * A dialogue in which the agent makes `calls` (arguments as text, so malformed ones can be
   * written), each really run in the task's environment; the user ends it unless `ended` says otherwise.
   */
  async craft(
    task: Task,
    calls: readonly { tool: string; arguments: string | Record<string, unknown> }[],
    options: { ended?: Trajectory["ended_by"]; texts?: string[] } = {},
  ): Promise<Trajectory> {
    const episode = await TaskEpisode.open(this.sandbox, await this.module(task.domain), task, this.states);
    const messages: ChatMessage[] = [
      { role: "system", content: "You are the assistant." },
      { role: "user", content: task.instruction },
    ];
    let errors = 0;
    try {
      for (const [i, call] of calls.entries()) {
        const text = typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments);
        const id = `call_${i + 1}`;
        messages.push({
          role: "assistant",
          content: null,
          tool_calls: [{ id, type: "function", function: { name: call.tool, arguments: text } }],
        });
        const outcome = await episode.call(call.tool, text);
        if (!outcome.ok) errors += 1;
        messages.push({ role: "tool", tool_call_id: id, content: observationText(outcome) });
      }
      for (const text of options.texts ?? ["All done."]) messages.push({ role: "assistant", content: text });
      if ((options.ended ?? "user") === "user") messages.push({ role: "user", content: "Thanks, that's all." });
      return {
        id: `${task.id}#crafted`,
        task_id: task.id,
        domain: task.domain,
        attempt: 0,
        messages,
        tools: toolDefinitions(this.spec(task.domain)) as Trajectory["tools"],
        final_state_hash: await episode.stateHash(),
        ended_by: options.ended ?? "user",
        turns: messages.filter((m) => m.role === "assistant").length,
        tool_calls: calls.length,
        tool_errors: errors,
        agent: "crafted",
        user: "crafted",
        mistake: null,
      };
    } finally {
      await episode.close();
    }
  }

  close(): Promise<void> {
    return this.sandbox.close();
  }
}
