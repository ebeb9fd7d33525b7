// One episode served to a trainer: a task's environment in the sandbox, the simulated user, the
// agent's actions as they come, and the reward at the end (the filter's judgement of the episode).
//
// Actions: a tool call (`{tool, arguments}`, or OpenEnv's `{type: "call_tool", tool_name,
// arguments}`), words to the user (`{message, end?}`), or OpenEnv's `{type: "list_tools"}` (which
// is not a turn). Every action may carry OpenEnv's `metadata`, passed back in the observation's.
import type { DomainState } from "../../lib/contracts/domain-state.ts";
import type { EnvironmentSpec } from "../../lib/contracts/environment-spec.ts";
import type { Task } from "../../lib/contracts/task.ts";
import { agentSystemPrompt } from "../../lib/episodes/dialogue.ts";
import type { MadeCall } from "../../lib/episodes/judge/exact-match.ts";
import { answerOf, type JudgeContext, judgeOutcome } from "../../lib/episodes/judge/judge.ts";
import { toolDefinitions } from "../../lib/episodes/task-episode.ts";
import { ModelUser, ScriptedUser, type UserActor } from "../../lib/episodes/users.ts";
import type { ChatMessage, LlmService, ToolDefinition } from "../../lib/llm/port.ts";
import type { CallOutcome, CompiledModule, Sandbox, SandboxEnvironment } from "../../sandbox/index.ts";
import type { Action, EpisodeState, Observation, OpenEnvTool, StepResult, toolErrorTypes } from "./protocol.ts";
import { ProtocolError } from "./protocol-error.ts";

export interface EpisodeServices {
  sandbox: Sandbox;
  llm: LlmService;
  spec(domain: string): EnvironmentSpec;
  module(domain: string): Promise<CompiledModule>;
  judge: JudgeContext;
  /** Most actions in an episode. */
  maxTurns: number;
  /** Whether the reward also asks for exact match of the calls. */
  exactMatch: boolean;
}

/** A domain's tools in the chat format, one array per spec: every episode of the domain shares it (and its JSON text, message-text.ts). */
const toolLists = new WeakMap<EnvironmentSpec, ToolDefinition[]>();
function toolsOf(spec: EnvironmentSpec): ToolDefinition[] {
  let tools = toolLists.get(spec);
  if (!tools) {
    tools = toolDefinitions(spec);
    toolLists.set(spec, tools);
  }
  return tools;
}

/** The tool names a module declares, one set per module. */
const toolNameSets = new WeakMap<CompiledModule, ReadonlySet<string>>();
function toolNamesOf(module: CompiledModule): ReadonlySet<string> {
  let names = toolNameSets.get(module);
  if (!names) {
    names = new Set(module.tools.map((t) => t.name));
    toolNameSets.set(module, names);
  }
  return names;
}

/** A tool's answer as MCP's CallToolResult (what `tools/call` returns). */
export interface McpToolResult {
  content: { type: "text"; text: string }[];
  structuredContent?: { result: unknown };
  isError: boolean;
}

export class ServedEpisode {
  readonly id: string;
  readonly task: Task;
  readonly #services: EpisodeServices;
  readonly #env: SandboxEnvironment;
  /** The tools the module declares: a call of any other is refused without its arguments. */
  readonly #toolNames: ReadonlySet<string>;
  readonly #user: UserActor;
  readonly #tools: ToolDefinition[];
  /**
   * The dialogue's words so far, in the chat format: what a model user reads and what the agent told
   * the user. Tool traffic is not kept: neither reads it.
   */
  readonly #messages: ChatMessage[];
  /** The calls that went through, with their arguments: all the reward needs of the calls (refused ones only count). */
  readonly #made: MadeCall[] = [];
  #toolCalls = 0;
  #toolErrors = 0;
  #steps = 0;
  #done = false;
  #reward: number | null = null;
  #endedBy: EpisodeState["ended_by"] = null;
  #verdict: Observation["verdict"] = null;
  #queue: Promise<unknown> = Promise.resolve();
  lastActivity = Date.now();

  private constructor(id: string, task: Task, services: EpisodeServices, env: SandboxEnvironment) {
    this.id = id;
    this.task = task;
    this.#services = services;
    this.#env = env;
    this.#toolNames = toolNamesOf(env.module);
    this.#tools = toolsOf(services.spec(task.domain));
    this.#user = services.llm.kind === "model" ? new ModelUser(services.llm, task, `user:${id}`) : new ScriptedUser(task);
    this.#messages = [{ role: "system", content: agentSystemPrompt(task) }];
  }

  /** Start the task on an environment at its start and hear the user's opening. The caller owns `env` until this resolves. */
  static async start(
    id: string,
    task: Task,
    services: EpisodeServices,
    env: SandboxEnvironment,
  ): Promise<{ episode: ServedEpisode; result: StepResult }> {
    const served = new ServedEpisode(id, task, services, env);
    const opening = await served.#user.next(served.#messages);
    served.#messages.push({ role: "user", content: opening.text });
    return {
      episode: served,
      result: {
        observation: served.#observation({ instruction: task.instruction, user_message: opening.text }),
        reward: null,
        done: false,
      },
    };
  }

  get done(): boolean {
    return this.#done;
  }

  /** Steps of one episode run one at a time, in the order they came. */
  step(action: Action): Promise<StepResult> {
    const next = this.#queue.then(() => this.#step(action));
    this.#queue = next.catch(() => {});
    return next;
  }

  async #step(action: Action): Promise<StepResult> {
    this.lastActivity = Date.now();
    const metadata = action.metadata && Object.keys(action.metadata).length > 0 ? { action: action.metadata } : {};
    if ("type" in action && action.type === "list_tools") {
      // OpenEnv's ListToolsObservation: the tools, not a turn.
      return { observation: { tools: this.openEnvTools(), metadata: this.#metadata(metadata) }, reward: this.#reward, done: this.#done };
    }
    if (this.#done) throw new ProtocolError(409, "EPISODE_DONE", `episode ${this.id} is done; reset to start another`);
    this.#steps += 1;
    let result: StepResult;
    if ("type" in action) {
      const outcome = await this.#call(action.tool_name, action.arguments);
      result = { observation: this.#callToolObservation(action.tool_name, outcome, metadata), reward: null, done: false };
    } else if ("tool" in action) {
      const outcome = await this.#call(action.tool, action.arguments);
      const parts = outcome.ok ? { result: outcome.result } : { error: { code: outcome.error.code, message: outcome.error.message } };
      result = { observation: this.#observation({ ...parts, metadata }), reward: null, done: false };
    } else {
      this.#messages.push({ role: "assistant", content: action.message });
      if (action.end) {
        this.#endedBy = "agent";
        result = { observation: this.#observation({ metadata }), reward: null, done: false };
      } else {
        const answer = await this.#user.next(this.#messages);
        this.#messages.push({ role: "user", content: answer.text });
        if (answer.end) this.#endedBy = "user";
        result = { observation: this.#observation({ user_message: answer.text, metadata }), reward: null, done: false };
      }
    }
    if (!this.#endedBy && this.#steps >= this.#services.maxTurns) this.#endedBy = "turn-limit";
    if (this.#endedBy) await this.#finish();
    if ("verdict" in result.observation) result.observation.verdict = this.#verdict;
    else if (this.#verdict) (result.observation.metadata as Record<string, unknown>).verdict = this.#verdict;
    return { ...result, reward: this.#reward, done: this.#done };
  }

  /**
   * Run a tool call. Its arguments are kept only when it went through (the reward compares them);
   * a tool the module does not declare is refused by the sandbox without them.
   */
  async #call(tool: string, args: Record<string, unknown>): Promise<CallOutcome> {
    const known = this.#toolNames.has(tool);
    const outcome = await this.#env.call(tool, known ? args : {});
    this.#toolCalls += 1;
    if (outcome.ok) this.#made.push({ tool, arguments: args });
    else this.#toolErrors += 1;
    return outcome;
  }

  /**
   * A tool call made through MCP's `tools/call`: its outcome as MCP's CallToolResult. A refusal is
   * the tool's own answer (`isError`), as MCP reports tool errors.
   */
  async callTool(name: string, args: Record<string, unknown>): Promise<McpToolResult> {
    const step = await this.step({ tool: name, arguments: args as Record<string, never> });
    const observation = step.observation as Observation;
    const payload = observation.error ? { error: observation.error } : observation.result;
    return {
      content: [{ type: "text", text: JSON.stringify(payload) }],
      isError: observation.error !== null,
      ...(observation.error ? {} : { structuredContent: { result: observation.result } }),
    };
  }

  /**
   * Judge the episode: the reward is 1 when its outcome is the task's (the gold state for a write
   * task; the reads made and their facts told, for a read-only one), and its calls too with exact
   * match. The server ran every call itself, so the environment's state is the truth.
   */
  async #finish(): Promise<void> {
    // The final state crosses from the sandbox only when its hash is not the gold one.
    const hash = await this.#env.stateHash();
    const verdict = await judgeOutcome(
      this.#services.judge,
      this.task,
      { state: async () => (await this.#env.state()) as DomainState, hash },
      { made: this.#made, succeeded: this.#made.map(() => true), answer: answerOf(this.#messages) },
      { exactMatch: this.#services.exactMatch },
    );
    this.#done = true;
    this.#reward = verdict.failed === null ? 1 : 0;
    this.#verdict = { failed: verdict.failed, reasons: verdict.reasons, rule: verdict.rule };
  }

  #metadata(extra: Record<string, unknown> = {}): Observation["metadata"] {
    return { episode_id: this.id, ...extra } as Observation["metadata"];
  }

  #observation(parts: Partial<Omit<Observation, "metadata">> & { metadata?: Record<string, unknown> }): Observation {
    const { metadata, ...rest } = parts;
    return {
      task_id: this.task.id,
      domain: this.task.domain,
      instruction: null,
      user_message: null,
      result: null,
      error: null,
      tools: this.#tools as Observation["tools"],
      verdict: null,
      ...rest,
      metadata: this.#metadata(metadata),
    };
  }

  /**
   * OpenEnv's CallToolObservation: the tool's result (its own refusals included, as a result), or
   * a framework error typed as OpenEnv's ToolError.
   */
  #callToolObservation(tool: string, outcome: CallOutcome, metadata: Record<string, unknown>): Record<string, unknown> {
    const envscale = { task_id: this.task.id, domain: this.task.domain, ...metadata };
    if (outcome.ok) return { tool_name: tool, result: outcome.result, error: null, metadata: this.#metadata(envscale) };
    const { code, message } = outcome.error;
    const errorType: (typeof toolErrorTypes)[number] | null =
      code === "UNKNOWN_TOOL"
        ? "tool_not_found"
        : code === "INVALID_ARGS"
          ? "invalid_args"
          : code === "TIMEOUT"
            ? "timeout"
            : code === "TOOL_ERROR"
              ? null
              : "execution_error";
    // A refusal (`fail()` in the tool) is what the tool answered: the agent reads it and goes on.
    if (errorType === null)
      return { tool_name: tool, result: { error: { code, message } }, error: null, metadata: this.#metadata(envscale) };
    return { tool_name: tool, result: null, error: { error_type: errorType, message }, metadata: this.#metadata({ ...envscale, code }) };
  }

  /** The tools as MCP lists them. */
  mcpTools(): { name: string; description: string; inputSchema: unknown }[] {
    return this.#tools.map((t) => ({
      name: t.function.name,
      description: t.function.description ?? "",
      inputSchema: t.function.parameters ?? { type: "object" },
    }));
  }

  /** The tools as OpenEnv's Tool model has them. */
  openEnvTools(): OpenEnvTool[] {
    return this.mcpTools().map((t) => ({ name: t.name, description: t.description, input_schema: t.inputSchema }));
  }

  state(): EpisodeState {
    return {
      episode_id: this.id,
      step_count: this.#steps,
      task_id: this.task.id,
      domain: this.task.domain,
      done: this.#done,
      reward: this.#reward,
      tool_calls: this.#toolCalls,
      tool_errors: this.#toolErrors,
      ended_by: this.#endedBy,
    };
  }

  /** End the episode once its steps under way are done; its environment goes to `keep` for another episode of the domain, or is closed. */
  close(keep?: (env: SandboxEnvironment) => Promise<boolean>): Promise<void> {
    this.#done = true;
    return this.#queue.then(async () => {
      this.#made.length = 0;
      if (!(await keep?.(this.#env))) await this.#env.close();
    });
  }
}
