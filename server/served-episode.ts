// One episode served to a trainer: a task's environment in the sandbox, the simulated user, the
// agent's actions as they come, and the reward at the end (the filter's judgement of the calls).

import type { DomainState } from "../contracts/domain-state.ts";
import type { EnvironmentSpec } from "../contracts/environment-spec.ts";
import type { Task } from "../contracts/task.ts";
import { agentSystemPrompt } from "../episodes/dialogue.ts";
import { type JudgeContext, judgeOutcome } from "../episodes/judge/judge.ts";
import { observationText, TaskEpisode, toolDefinitions } from "../episodes/task-episode.ts";
import { ModelUser, ScriptedUser, type UserActor } from "../episodes/users.ts";
import type { ChatMessage, LlmService, ToolDefinition } from "../llm/port.ts";
import type { CompiledModule, Sandbox, SandboxEnvironment } from "../sandbox/index.ts";
import type { Action, EpisodeState, Observation, StepResult } from "./protocol.ts";

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

/** A request that cannot be served as asked: the HTTP status and a message. */
export class ProtocolError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export class ServedEpisode {
  readonly id: string;
  readonly task: Task;
  readonly #services: EpisodeServices;
  readonly #episode: TaskEpisode;
  readonly #user: UserActor;
  readonly #tools: ToolDefinition[];
  /** The dialogue so far, in the chat format (what a model user reads). */
  readonly #messages: ChatMessage[];
  #steps = 0;
  #done = false;
  #reward: number | null = null;
  #endedBy: EpisodeState["ended_by"] = null;
  #verdict: Observation["verdict"] = null;
  #queue: Promise<unknown> = Promise.resolve();
  lastActivity = Date.now();

  private constructor(id: string, task: Task, services: EpisodeServices, episode: TaskEpisode) {
    this.id = id;
    this.task = task;
    this.#services = services;
    this.#episode = episode;
    this.#tools = toolDefinitions(services.spec(task.domain));
    this.#user = services.llm.kind === "model" ? new ModelUser(services.llm, task, `user:${id}`) : new ScriptedUser(task);
    this.#messages = [{ role: "system", content: agentSystemPrompt(task) }];
  }

  /** Open the task's environment and hear the user's opening. */
  static async start(
    id: string,
    task: Task,
    services: EpisodeServices,
    idle?: SandboxEnvironment,
  ): Promise<{ episode: ServedEpisode; result: StepResult }> {
    const env = idle
      ? await TaskEpisode.attach(idle, task)
      : await TaskEpisode.open(services.sandbox, await services.module(task.domain), task);
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

  /** Steps of one episode run one at a time, in the order they came. */
  step(action: Action): Promise<StepResult> {
    const next = this.#queue.then(() => this.#step(action));
    this.#queue = next.catch(() => {});
    return next;
  }

  async #step(action: Action): Promise<StepResult> {
    this.lastActivity = Date.now();
    if (this.#done) throw new ProtocolError(409, "EPISODE_DONE", `episode ${this.id} is done; reset to start another`);
    this.#steps += 1;
    let observation: Observation;
    if ("tool" in action) {
      const text = JSON.stringify(action.arguments ?? {});
      const callId = `call_${this.#steps}`;
      this.#messages.push({
        role: "assistant",
        content: null,
        tool_calls: [{ id: callId, type: "function", function: { name: action.tool, arguments: text } }],
      });
      const outcome = await this.#episode.call(action.tool, text);
      this.#messages.push({
        role: "tool",
        tool_call_id: callId,
        content: observationText(outcome),
      });
      observation = this.#observation(
        outcome.ok ? { result: outcome.result } : { error: { code: outcome.error.code, message: outcome.error.message } },
      );
    } else {
      this.#messages.push({ role: "assistant", content: action.message });
      if (action.end) {
        this.#endedBy = "agent";
        observation = this.#observation({});
      } else {
        const answer = await this.#user.next(this.#messages);
        this.#messages.push({ role: "user", content: answer.text });
        if (answer.end) this.#endedBy = "user";
        observation = this.#observation({ user_message: answer.text });
      }
    }
    if (!this.#endedBy && this.#steps >= this.#services.maxTurns) this.#endedBy = "turn-limit";
    if (this.#endedBy) await this.#finish();
    return { observation: { ...observation, verdict: this.#verdict }, reward: this.#reward, done: this.#done };
  }

  /**
   * Judge the episode: the reward is 1 when its final state matches the gold one (and its calls,
   * with exact match). The server ran every call itself, so the environment's state is the truth.
   */
  async #finish(): Promise<void> {
    const [state, hash] = await Promise.all([this.#episode.state(), this.#episode.stateHash()]);
    const steps = this.#episode.steps.filter((s) => s.arguments !== null);
    const verdict = await judgeOutcome(
      this.#services.judge,
      this.task,
      { state: state as DomainState, hash },
      steps.map((s) => ({ tool: s.tool, arguments: s.arguments })),
      steps.map((s) => s.outcome.ok),
      { exactMatch: this.#services.exactMatch },
    );
    this.#done = true;
    this.#reward = verdict.failed === null ? 1 : 0;
    this.#verdict = { failed: verdict.failed, reasons: verdict.reasons };
  }

  #observation(parts: Partial<Observation>): Observation {
    return {
      task_id: this.task.id,
      domain: this.task.domain,
      instruction: null,
      user_message: null,
      result: null,
      error: null,
      tools: this.#tools as Observation["tools"],
      verdict: null,
      ...parts,
    };
  }

  /** The tools as MCP lists them. */
  mcpTools(): { name: string; description: string; inputSchema: unknown }[] {
    return this.#tools.map((t) => ({
      name: t.function.name,
      description: t.function.description ?? "",
      inputSchema: t.function.parameters ?? { type: "object" },
    }));
  }

  state(): EpisodeState {
    return {
      episode_id: this.id,
      step_count: this.#steps,
      task_id: this.task.id,
      domain: this.task.domain,
      done: this.#done,
      reward: this.#reward,
      tool_calls: this.#episode.steps.length,
      tool_errors: this.#episode.steps.filter((s) => !s.outcome.ok).length,
      ended_by: this.#endedBy,
    };
  }

  /** End the episode; its environment goes to `keep` for another episode of the domain, or is closed. */
  close(keep?: (env: SandboxEnvironment) => boolean): Promise<void> {
    this.#done = true;
    return this.#queue.then(() => (keep?.(this.#episode.env) ? undefined : this.#episode.close()));
  }
}
