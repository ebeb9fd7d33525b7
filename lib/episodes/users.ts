// Simulated users: who knows the task's goal and reveals it turn by turn. Scripted offline (the
// intents one per turn, in the persona's manner); with a model, a model playing the persona.

import type { Task } from "../contracts/task.ts";
import { failsOnlyItsItem } from "../llm/item-failure.ts";
import type { ChatMessage, LlmService } from "../llm/port.ts";

export interface UserActor {
  readonly name: string;
  /** The user's next message, given the dialogue so far. `end` closes the dialogue. */
  next(messages: readonly ChatMessage[]): Promise<{ text: string; end: boolean }>;
}

const OPENERS: Record<Task["persona"]["style"], string> = {
  terse: "",
  chatty: "Hi there! Hope you're having a good day. ",
  precise: "Hello. Here is exactly what I need. ",
};

export class ScriptedUser implements UserActor {
  readonly name = "scripted";
  readonly #task: Task;
  #revealed = 0;

  constructor(task: Task) {
    this.#task = task;
  }

  async next(): Promise<{ text: string; end: boolean }> {
    const intents = this.#task.intents;
    if (this.#revealed >= intents.length) {
      return { text: this.#task.persona.style === "terse" ? "That's all, thanks." : "That's everything I needed, thank you!", end: true };
    }
    const intent = intents[this.#revealed] as string;
    // An intent that greets already (a service user introducing themselves) needs no opener.
    const greets = /^(hi|hello|hey|good (morning|day|afternoon|evening))\b/i.test(intent);
    const text = this.#revealed === 0 && !greets ? `${OPENERS[this.#task.persona.style]}${intent}` : intent;
    this.#revealed += 1;
    return { text, end: false };
  }
}

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
    let response: Awaited<ReturnType<LlmService["chat"]>>;
    try {
      response = await this.#llm.chat({ purpose: this.#purpose, messages: view, temperature: 0.7 }, this.#signal);
    } catch (error) {
      // A malformed body, or a request that failed, ends the dialogue; it never stops the run.
      if (failsOnlyItsItem(error)) return { text: "Thanks, that's all.", end: true };
      throw error;
    }
    const text = response.message.content ?? "";
    const end = text.includes(STOP);
    return { text: text.replace(STOP, "").trim() || "Thanks, that's all.", end };
  }
}
