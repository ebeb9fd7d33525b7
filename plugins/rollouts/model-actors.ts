// The actors with a model: the agent whose data we collect (tools offered, tool calls run in the
// sandbox) and a simulated user who knows the instruction and persona and reveals it turn by turn.

import type { Task } from "../../contracts/task.ts";
import type { ChatMessage, LlmService, ToolDefinition } from "../../llm/port.ts";
import type { AgentActor, UserActor } from "./scripted.ts";

/** What the simulated user writes to close the dialogue (stripped from the message kept). */
export const STOP = "###STOP###";

export class ModelUser implements UserActor {
  readonly name: string;
  readonly #llm: LlmService;
  readonly #task: Task;
  readonly #purpose: string;
  readonly #signal: AbortSignal | undefined;

  constructor(llm: LlmService, task: Task, purpose: string, signal?: AbortSignal) {
    this.name = llm.model;
    this.#llm = llm;
    this.#task = task;
    this.#purpose = purpose;
    this.#signal = signal;
  }

  async next(messages: readonly ChatMessage[]): Promise<{ text: string; end: boolean }> {
    // The user sees the dialogue from their side: the agent's words as the other party's, no tool traffic.
    const view: ChatMessage[] = [
      {
        role: "system",
        content:
          `You are ${this.#task.persona.description}. You are talking to a customer-service assistant. Your goal: ${this.#task.instruction}\n` +
          "Reveal your goal a piece at a time, as a real person would: one request per message, details when asked. Never invent facts " +
          `beyond the goal. When everything is done (or cannot be done), reply with a short goodbye followed by ${STOP}.`,
      },
      ...messages
        .filter((m) => (m.role === "user" || m.role === "assistant") && m.content)
        .map((m): ChatMessage => ({ role: m.role === "user" ? "assistant" : "user", content: m.content })),
    ];
    if (view.length === 1) view.push({ role: "user", content: "Hello, how can I help you today?" });
    const response = await this.#llm.chat({ purpose: this.#purpose, messages: view, temperature: 0.7 }, this.#signal);
    const text = response.message.content ?? "";
    const end = text.includes(STOP);
    return { text: text.replace(STOP, "").trim() || "Thanks, that's all.", end };
  }
}

export class ModelAgent implements AgentActor {
  readonly name: string;
  readonly #llm: LlmService;
  readonly #tools: ToolDefinition[];
  readonly #purpose: string;
  readonly #signal: AbortSignal | undefined;
  #calls = 0;

  constructor(llm: LlmService, tools: ToolDefinition[], purpose: string, signal?: AbortSignal) {
    this.name = llm.model;
    this.#llm = llm;
    this.#tools = tools;
    this.#purpose = purpose;
    this.#signal = signal;
  }

  async next(messages: readonly ChatMessage[]): Promise<ChatMessage | null> {
    const response = await this.#llm.chat(
      { purpose: this.#purpose, messages: [...messages], tools: this.#tools, toolChoice: "auto" },
      this.#signal,
    );
    const message = response.message;
    if (!message.content && !message.tool_calls?.length) return null;
    // Some servers leave tool call ids out; the chat format needs them to pair results.
    const tool_calls = message.tool_calls?.map((call) => ({ ...call, id: call.id || `call_${++this.#calls}` }));
    return { role: "assistant", content: message.content ?? null, ...(tool_calls?.length ? { tool_calls } : {}) };
  }
}
