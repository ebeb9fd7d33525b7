// LLM adapter for any OpenAI-compatible endpoint (OpenAI, vLLM, SGLang, Ollama, LiteLLM…), through
// the official SDK: bounded concurrency, request and token budgets, retries with backoff on 429,
// 5xx, timeouts and connection errors (the SDK's own, counted here), a per-request time limit and
// size limit on the answer, token usage, and JSON-schema structured output where the server
// supports it. A request that fails after its retries fails its item (E_LLM_REQUEST) unless the
// endpoint keeps failing (E_LLM, the run stops).
import OpenAI from "openai";
import pLimit from "p-limit";
import { EnvscaleError } from "../../../../kernel/errors.ts";
import { ENDPOINT_DEFAULTS, type OpenAiSettings } from "../../config.ts";
import type { ChatRequest, ChatResponse, LlmService } from "../../port.ts";
import { boundedFetch, ResponseBodyError } from "./bounded-fetch.ts";
import { EndpointHealth } from "./endpoint-health.ts";
import { MinuteBudget } from "./rate-limit.ts";

/** Rough token count before a request (a quarter of the characters), corrected by the reply's usage. */
const estimateTokens = (request: ChatRequest) =>
  Math.ceil(JSON.stringify(request.messages).length / 4) +
  Math.ceil(JSON.stringify(request.tools ?? []).length / 4) +
  (request.maxTokens ?? 512);

export class OpenAiLlm implements LlmService {
  readonly kind = "model";
  readonly model: string;
  readonly #client: OpenAI;
  readonly #settings: OpenAiSettings;
  readonly #limit: ReturnType<typeof pLimit>;
  readonly #requests: MinuteBudget;
  readonly #tokens: MinuteBudget;
  readonly #health: EndpointHealth;
  /** Set when the server refused `response_format: json_schema`: later requests ask for JSON in words. */
  #structured = true;
  readonly #counters = { requests: 0, attempts: 0, prompt_tokens: 0, completion_tokens: 0, failures: 0, embeddings: 0 };

  constructor(settings: OpenAiSettings) {
    this.#settings = settings;
    this.model = settings.model;
    const fetch = boundedFetch(
      { maxBytes: settings.maxResponseBytes ?? ENDPOINT_DEFAULTS.maxResponseBytes, timeoutMs: settings.timeoutMs },
      () => (this.#counters.attempts += 1),
    );
    this.#client = new OpenAI({
      apiKey: settings.apiKey ?? "not-needed",
      ...(settings.baseUrl ? { baseURL: settings.baseUrl } : {}),
      maxRetries: settings.maxRetries,
      timeout: settings.timeoutMs,
      fetch,
    });
    this.#health = new EndpointHealth(
      settings.failureWindow ?? ENDPOINT_DEFAULTS.failureWindow,
      settings.failureShare ?? ENDPOINT_DEFAULTS.failureShare,
    );
    this.#limit = pLimit(settings.concurrency);
    this.#requests = new MinuteBudget(settings.requestsPerMinute);
    this.#tokens = new MinuteBudget(settings.tokensPerMinute);
  }

  chat(request: ChatRequest, signal?: AbortSignal): Promise<ChatResponse> {
    return this.#limit(async () => {
      const estimate = estimateTokens(request);
      await this.#requests.take(1, signal);
      await this.#tokens.take(estimate, signal);
      this.#counters.requests += 1;
      try {
        const response = await this.#send(request, signal);
        this.#health.answered();
        this.#tokens.adjust(estimate, response.usage.promptTokens + response.usage.completionTokens);
        this.#counters.prompt_tokens += response.usage.promptTokens;
        this.#counters.completion_tokens += response.usage.completionTokens;
        return response;
      } catch (error) {
        this.#counters.failures += 1;
        throw this.#failure(error, request.purpose, signal);
      }
    });
  }

  /**
   * What a failed request is: an unusable answer (the endpoint answered), the caller giving up, or
   * a failed request, which fails its item unless the endpoint keeps failing.
   */
  #failure(error: unknown, purpose: string, signal: AbortSignal | undefined): EnvscaleError {
    if (error instanceof EnvscaleError && error.code === "E_LLM_ANSWER") {
      this.#health.answered();
      return error;
    }
    if (error instanceof EnvscaleError) return error;
    const failed = describeFailure(error, purpose, this.#settings.baseUrl, this.#settings.timeoutMs);
    // Given up by the caller (the stage stopping, the run interrupted): no verdict on the endpoint.
    if (signal?.aborted || error instanceof OpenAI.APIUserAbortError)
      return new EnvscaleError("E_LLM", failed.message, { details: failed.details, cause: error });
    const verdict = this.#health.failed();
    if (!verdict.keepsFailing) return new EnvscaleError("E_LLM_REQUEST", failed.message, { details: failed.details, cause: error });
    return new EnvscaleError("E_LLM", `${failed.message}; ${verdict.failures} of the last ${verdict.of} requests failed`, {
      details: { ...failed.details, service: "llm", failingSince: verdict.since },
      cause: error,
    });
  }

  async #send(request: ChatRequest, signal?: AbortSignal): Promise<ChatResponse> {
    const messages = this.#structured || !request.jsonSchema ? request.messages : withJsonInstruction(request);
    const params: OpenAI.Chat.ChatCompletionCreateParamsNonStreaming = {
      model: this.model,
      messages: messages as OpenAI.Chat.ChatCompletionMessageParam[],
      temperature: request.temperature ?? this.#settings.temperature,
      ...(request.maxTokens ? { max_tokens: request.maxTokens } : {}),
      ...(request.seed !== undefined ? { seed: request.seed } : {}),
      ...(request.tools?.length
        ? { tools: request.tools as OpenAI.Chat.ChatCompletionTool[], tool_choice: request.toolChoice ?? "auto" }
        : {}),
      ...(request.jsonSchema && this.#structured
        ? {
            response_format: {
              type: "json_schema",
              json_schema: { name: request.jsonSchema.name, schema: request.jsonSchema.schema, strict: false },
            },
          }
        : {}),
    };
    let completion: OpenAI.Chat.ChatCompletion | undefined;
    let choice: OpenAI.Chat.ChatCompletion["choices"][number] | undefined;
    // The SDK retries what fails before the body (statuses, connections, timeouts). A 200 whose
    // body is no answer (truncated, no choices, too large) or never fully arrives (cut off,
    // stalled) it does not retry: ask again here, with backoff. Then a body that was no answer is
    // an unusable answer, not an outage; a body that never arrived is a failed request.
    for (let attempt = 0; ; attempt++) {
      let malformed = "";
      let broken: ResponseBodyError | null = null;
      try {
        completion = await this.#client.chat.completions.create(params, signal ? { signal } : {});
        choice = completion.choices?.[0];
        if (!choice?.message) malformed = "the response has no choices[0].message";
      } catch (error) {
        // A server without structured output says so with a 400 about response_format: ask in words instead.
        if (
          this.#structured &&
          request.jsonSchema &&
          error instanceof OpenAI.APIError &&
          error.status === 400 &&
          /response_format|json_schema/i.test(error.message)
        ) {
          this.#structured = false;
          return this.#send(request, signal);
        }
        if (error instanceof ResponseBodyError) {
          if (error.kind === "too-large") malformed = error.message;
          else broken = error;
        } else if (error instanceof OpenAI.APIError || !(error instanceof SyntaxError || /JSON/.test((error as Error).message)))
          throw error;
        else malformed = `the response body is not JSON (${(error as Error).message})`;
      }
      if (!malformed && !broken) break;
      signal?.throwIfAborted();
      if (attempt >= this.#settings.maxRetries) {
        if (broken) throw broken;
        throw new EnvscaleError(
          "E_LLM_ANSWER",
          `${request.purpose}: ${this.#settings.baseUrl ?? "the OpenAI API"} answered 200 without a usable body ${attempt + 1} time(s): ${malformed}`,
          { details: { purpose: request.purpose } },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(4000, 250 * 2 ** attempt)));
    }
    if (!completion || !choice?.message) throw new Error("unreachable: no completion");
    return {
      message: {
        role: "assistant",
        content: choice.message.content ?? null,
        ...(choice.message.tool_calls?.length
          ? {
              tool_calls: choice.message.tool_calls
                .filter((call) => call.type === "function")
                .map((call) => ({
                  id: call.id,
                  type: "function" as const,
                  function: { name: call.function.name, arguments: call.function.arguments },
                })),
            }
          : {}),
      },
      finishReason: choice.finish_reason ?? "stop",
      usage: { promptTokens: completion.usage?.prompt_tokens ?? 0, completionTokens: completion.usage?.completion_tokens ?? 0 },
      model: completion.model ?? this.model,
    };
  }

  async embed(texts: readonly string[], signal?: AbortSignal): Promise<number[][] | null> {
    const model = this.#settings.embeddingModel;
    if (!model) return null;
    const out: number[][] = [];
    for (let at = 0; at < texts.length; at += 256) {
      const batch = texts.slice(at, at + 256);
      const response = await this.#limit(async () => {
        await this.#requests.take(1, signal);
        this.#counters.embeddings += 1;
        try {
          const answer = await this.#client.embeddings.create({ model, input: batch as string[] }, signal ? { signal } : {});
          this.#health.answered();
          return answer;
        } catch (error) {
          this.#counters.failures += 1;
          // An answer too large to take is the endpoint's unusable answer, as for chat.
          if (error instanceof ResponseBodyError && error.kind === "too-large") {
            this.#health.answered();
            throw new EnvscaleError(
              "E_LLM_ANSWER",
              `embeddings: ${this.#settings.baseUrl ?? "the OpenAI API"} answered with ${error.message}`,
              {
                details: { purpose: "embeddings" },
              },
            );
          }
          throw this.#failure(error, "embeddings", signal);
        }
      });
      for (const item of [...response.data].sort((a, b) => a.index - b.index)) out.push(item.embedding);
    }
    return out;
  }

  metrics(): Record<string, number> {
    return { ...this.#counters, retries: Math.max(0, this.#counters.attempts - this.#counters.requests - this.#counters.embeddings) };
  }

  async close(): Promise<void> {}
}

function withJsonInstruction(request: ChatRequest) {
  const schema = JSON.stringify(request.jsonSchema?.schema);
  return [
    ...request.messages,
    { role: "system" as const, content: `Answer with a single JSON value and nothing else. It must match this JSON Schema: ${schema}` },
  ];
}

/** The message and details of a failed request: who answered what, or why no answer came. */
function describeFailure(
  error: unknown,
  purpose: string,
  baseUrl: string | undefined,
  timeoutMs: number | undefined,
): { message: string; details: Record<string, unknown> } {
  const where = baseUrl ?? "the OpenAI API";
  if (error instanceof OpenAI.APIError && error.status !== undefined)
    return {
      message: `${purpose}: ${where} answered ${error.status} after all retries: ${error.message}`,
      details: { status: error.status, purpose },
    };
  const retried = error instanceof OpenAI.APIConnectionError || error instanceof ResponseBodyError;
  // The SDK's "Connection error." says little; its causes say what happened ("other side closed").
  // The SDK's "Request timed out." does not say which limit: name it as the body's own timeout does.
  if (error instanceof OpenAI.APIConnectionTimeoutError && timeoutMs !== undefined)
    return {
      message: `${purpose}: request to ${where} failed after all retries: the response did not arrive within ${timeoutMs} ms (request timed out)`,
      details: { purpose },
    };
  const causes: string[] = [];
  for (let cause = error instanceof OpenAI.APIConnectionError ? error.cause : undefined; cause instanceof Error; cause = cause.cause)
    causes.push(cause.message);
  return {
    message: `${purpose}: request to ${where} failed${retried ? " after all retries" : ""}: ${(error as Error).message}${causes.length ? ` (${causes.join(": ")})` : ""}`,
    details: { purpose },
  };
}
