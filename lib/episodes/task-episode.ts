// One task's episode in its sandboxed environment: tool calls as an agent makes them (arguments as
// text, as models write them), results as the tool messages an agent reads. Shared by rollouts,
// the filter's replays and the server.

import type { JsonObject, JsonValue } from "../../kernel/canonical-json.ts";
import type { CallOutcome, CompiledModule, Sandbox, SandboxEnvironment } from "../../sandbox/index.ts";
import type { EnvironmentSpec } from "../contracts/environment-spec.ts";
import type { Task } from "../contracts/task.ts";
import type { ToolDefinition } from "../llm/port.ts";
import { initialStateOf, type TaskStates } from "../task-states/index.ts";

/** The tools an agent sees, in the OpenAI function-calling format. */
export function toolDefinitions(spec: EnvironmentSpec): ToolDefinition[] {
  return spec.tools.map((t) => ({ type: "function", function: { name: t.name, description: t.description, parameters: t.parameters } }));
}

/** Arguments as a model writes them: a JSON object in text. */
export function parseArguments(text: string): { ok: true; value: Record<string, JsonValue> } | { ok: false; error: string } {
  try {
    const value = JSON.parse(text || "{}") as unknown;
    if (value === null || typeof value !== "object" || Array.isArray(value))
      return { ok: false, error: "the arguments are not a JSON object" };
    return { ok: true, value: value as Record<string, JsonValue> };
  } catch (error) {
    return { ok: false, error: `the arguments are not valid JSON: ${(error as Error).message}` };
  }
}

/** What the agent reads back: the result, or `{error: {code, message}}`. */
export function observationText(outcome: CallOutcome): string {
  return JSON.stringify(outcome.ok ? outcome.result : { error: { code: outcome.error.code, message: outcome.error.message } });
}

export interface StepRecord {
  tool: string;
  /** The parsed arguments (null when they did not parse). */
  arguments: Record<string, JsonValue> | null;
  outcome: CallOutcome;
}

export class TaskEpisode {
  readonly task: Task;
  readonly env: SandboxEnvironment;
  readonly steps: StepRecord[] = [];
  /** The task's initial state, resolved from its base state and patch. */
  readonly #initial: JsonObject;

  private constructor(task: Task, env: SandboxEnvironment, initial: JsonObject) {
    this.task = task;
    this.env = env;
    this.#initial = initial;
  }

  static async open(
    sandbox: Sandbox,
    module: CompiledModule,
    task: Task,
    states: TaskStates,
    limits: { timeoutMs?: number } = {},
  ): Promise<TaskEpisode> {
    const initial = initialStateOf(task, states);
    const env = await sandbox.open(module, initial, { clock: task.clock, seed: task.seed, ...limits });
    return new TaskEpisode(task, env, initial);
  }

  /**
   * Start the task on an environment of its domain that is already open (reset to the task's
   * state). An environment that cannot take the task (its module's top-level code fails on the
   * task's clock, a state past the sandbox's bounds) is closed, never left to leak.
   */
  static async attach(env: SandboxEnvironment, task: Task, states: TaskStates): Promise<TaskEpisode> {
    let initial: JsonObject;
    try {
      initial = initialStateOf(task, states);
      await env.reset(initial, { clock: task.clock, seed: task.seed });
    } catch (error) {
      await env.close();
      throw error;
    }
    return new TaskEpisode(task, env, initial);
  }

  /** Run a call whose arguments are text; a malformed one is refused without reaching the sandbox. */
  async call(tool: string, argumentText: string): Promise<CallOutcome> {
    const parsed = parseArguments(argumentText);
    const outcome: CallOutcome = parsed.ok
      ? await this.env.call(tool, parsed.value)
      : { ok: false, error: { code: "INVALID_ARGS", message: parsed.error } };
    this.steps.push({ tool, arguments: parsed.ok ? parsed.value : null, outcome });
    return outcome;
  }

  /** Back to the task's initial state (a new episode on the same environment). */
  async reset(): Promise<void> {
    this.steps.length = 0;
    await this.env.reset(this.#initial, { clock: this.task.clock, seed: this.task.seed });
  }

  stateHash(): Promise<string> {
    return this.env.stateHash();
  }

  state(): Promise<JsonObject> {
    return this.env.state();
  }

  close(): Promise<void> {
    return this.env.close();
  }
}
