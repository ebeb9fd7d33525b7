// The actors with a model: the agent whose data we collect (tools offered, tool calls run in the
// sandbox) and a simulated user who knows the instruction and persona and reveals it turn by turn.

import type { AgentActor } from "../../lib/episodes/dialogue.ts";
import { failsOnlyItsItem } from "../../lib/llm/item-failure.ts";
import type { ChatMessage, LlmService, ToolDefinition } from "../../lib/llm/port.ts";

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
    let response: Awaited<ReturnType<LlmService["chat"]>>;
    try {
      response = await this.#llm.chat(
        { purpose: this.#purpose, messages: [...messages], tools: this.#tools, toolChoice: "auto" },
        this.#signal,
      );
    } catch (error) {
      // A malformed body, or a request that failed, is an agent saying nothing: the dialogue ends
      // there (agent-error) and is judged as it is.
      if (failsOnlyItsItem(error)) return null;
      throw error;
    }
    const message = response.message;
    if (!message.content && !message.tool_calls?.length) return null;
    // Some servers leave tool call ids out; the chat format needs them to pair results.
    const tool_calls = message.tool_calls?.map((call) => ({ ...call, id: call.id || `call_${++this.#calls}` }));
    return { role: "assistant", content: message.content ?? null, ...(tool_calls?.length ? { tool_calls } : {}) };
  }
}
