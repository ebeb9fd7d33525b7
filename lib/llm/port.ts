// The LLM port: what stages ask of a model (OpenAI chat format), whatever serves it.
//
// Adapters: `openai` (any OpenAI-compatible endpoint, through the official SDK), `replay` (a
// recorded cassette), recording around `openai`, and `offline`, which has no model: with it,
// each stage does its LLM tasks by its own rules.

export interface ToolCallMessage {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export interface ChatMessage {
  role: "system" | "user" | "assistant" | "tool";
  content: string | null;
  tool_calls?: ToolCallMessage[];
  tool_call_id?: string;
  name?: string;
}

export interface ToolDefinition {
  type: "function";
  function: { name: string; description?: string; parameters?: Record<string, unknown> };
}

export interface ChatRequest {
  /** What the request is for (logs, cassettes): "codegen:airline", "user-turn:task-17". */
  purpose: string;
  messages: ChatMessage[];
  tools?: ToolDefinition[];
  toolChoice?: "auto" | "none" | "required";
  /** Ask for JSON matching this schema (structured output where the server supports it). */
  jsonSchema?: { name: string; schema: Record<string, unknown> };
  temperature?: number;
  maxTokens?: number;
  seed?: number;
}

export interface ChatResponse {
  message: ChatMessage;
  finishReason: string;
  usage: { promptTokens: number; completionTokens: number };
  model: string;
}

export interface LlmService {
  /** `offline`: no model; stages use their rules. `model`: a real (or replayed) model. */
  readonly kind: "offline" | "model";
  /** The model's name, or "offline". */
  readonly model: string;
  chat(request: ChatRequest, signal?: AbortSignal): Promise<ChatResponse>;
  /** Embeddings, or null when no embedding endpoint is configured. */
  embed(texts: readonly string[], signal?: AbortSignal): Promise<number[][] | null>;
  /** Counters summed into manifest.json: requests, tokens, retries, failures. */
  metrics(): Record<string, number>;
  close(): Promise<void>;
}
