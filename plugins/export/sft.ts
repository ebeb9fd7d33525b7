// Supervised fine-tuning data in the OpenAI chat fine-tuning format (`{messages, tools}` per line),
// and its loss-mask-ready variant: every assistant message carries `weight` (1: trained on, 0: not),
// as OpenAI's format allows. System, user and tool messages are context, never trained on; an
// assistant call the environment refused is kept as context but weighted 0, so a model learns the
// recovery, not the mistake.

import type { KeptTrajectory } from "../../lib/contracts/judgement.ts";
import type { ChatMessage } from "../../lib/llm/port.ts";

export interface SftRecord {
  messages: ChatMessage[];
  tools: KeptTrajectory["tools"];
}

export type WeightedMessage = ChatMessage & { weight?: 0 | 1 };

export interface MaskedRecord {
  id: string;
  messages: WeightedMessage[];
  tools: KeptTrajectory["tools"];
}

export function sftRecord(trajectory: KeptTrajectory): SftRecord {
  return { messages: trajectory.messages as ChatMessage[], tools: trajectory.tools };
}

/** Whether a tool result reports a refusal (`{"error": {code, message}}`). */
function isRefusal(content: string | null): boolean {
  if (!content?.startsWith('{"error":')) return false;
  try {
    const parsed = JSON.parse(content) as { error?: { code?: unknown } };
    return typeof parsed.error?.code === "string";
  } catch {
    return false;
  }
}

export function maskedRecord(trajectory: KeptTrajectory): MaskedRecord {
  const messages = trajectory.messages as ChatMessage[];
  const refused = new Set(messages.filter((m) => m.role === "tool" && isRefusal(m.content)).map((m) => m.tool_call_id));
  return {
    id: trajectory.id,
    tools: trajectory.tools,
    messages: messages.map((m): WeightedMessage => {
      if (m.role !== "assistant") return m;
      const failed = (m.tool_calls ?? []).some((c) => refused.has(c.id));
      return { ...m, weight: failed ? 0 : 1 };
    }),
  };
}
