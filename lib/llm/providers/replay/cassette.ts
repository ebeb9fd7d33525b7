// Cassettes: every model exchange recorded to a JSON Lines file, and replayed offline bit for bit.
//
// A line is `{key, purpose, request, response}`, or `{…, failure}` for a request that failed its
// item (an unusable answer, a request that failed after its retries), so a replay fails the same
// item; the key is the SHA-256 of the canonical request (its purpose, messages, tools, schema,
// temperature and seed; not the model name, so a cassette replays under any configuration). The
// same request asked again gets the next recorded answer.
import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { canonicalStringify, sha256 } from "../../../../kernel/canonical-json.ts";
import { EnvscaleError } from "../../../../kernel/errors.ts";
import { failsOnlyItsItem } from "../../item-failure.ts";
import type { ChatRequest, ChatResponse, LlmService } from "../../port.ts";

export function requestKey(request: ChatRequest): string {
  return sha256(
    canonicalStringify({
      purpose: request.purpose,
      messages: request.messages,
      tools: request.tools ?? null,
      toolChoice: request.toolChoice ?? null,
      jsonSchema: request.jsonSchema ?? null,
      temperature: request.temperature ?? null,
      maxTokens: request.maxTokens ?? null,
      seed: request.seed ?? null,
    }),
  );
}

interface CassetteLine {
  key: string;
  purpose: string;
  request: ChatRequest;
  response?: ChatResponse;
  /** A request that failed its item, with the error it got. */
  failure?: RecordedFailure;
  /** Embedding exchanges: texts in, vectors out. */
  embed?: { texts: string[]; vectors: number[][] | null };
}

interface RecordedFailure {
  code: "E_LLM_ANSWER" | "E_LLM_REQUEST";
  message: string;
}

/** Replays a cassette; a request it has no (more) answers for is an E_LLM error naming it. */
export class ReplayLlm implements LlmService {
  readonly kind = "model";
  readonly model: string;
  readonly #file: string;
  readonly #answers = new Map<string, (ChatResponse | RecordedFailure)[]>();
  readonly #embeddings = new Map<string, (number[][] | null)[]>();
  readonly #counters = { requests: 0, prompt_tokens: 0, completion_tokens: 0, embeddings: 0 };

  constructor(file: string) {
    this.#file = file;
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      throw new EnvscaleError("E_INPUT_UNREADABLE", `cannot read cassette ${file}: ${(error as Error).message}`);
    }
    let model = "replay";
    text.split("\n").forEach((line, index) => {
      if (!line.trim()) return;
      let entry: CassetteLine;
      try {
        entry = JSON.parse(line) as CassetteLine;
      } catch (error) {
        throw new EnvscaleError("E_INPUT_UNREADABLE", `cassette ${file}:${index + 1} is not JSON: ${(error as Error).message}`);
      }
      if (entry.embed) {
        this.#embeddings.set(entry.key, [...(this.#embeddings.get(entry.key) ?? []), entry.embed.vectors]);
      } else if (entry.response) {
        this.#answers.set(entry.key, [...(this.#answers.get(entry.key) ?? []), entry.response]);
        model = entry.response.model;
      } else if (entry.failure) {
        this.#answers.set(entry.key, [...(this.#answers.get(entry.key) ?? []), entry.failure]);
      }
    });
    this.model = model;
  }

  async chat(request: ChatRequest): Promise<ChatResponse> {
    const key = requestKey(request);
    const queue = this.#answers.get(key);
    const answer = queue?.shift();
    if (!answer) {
      throw new EnvscaleError(
        "E_LLM",
        `cassette ${this.#file} has no ${queue ? "more answers" : "answer"} for request "${request.purpose}" (key ${key.slice(0, 12)})`,
        {
          hint: "record it again with --llm record:FILE against the model",
          details: { purpose: request.purpose, key },
        },
      );
    }
    this.#counters.requests += 1;
    if ("code" in answer) throw new EnvscaleError(answer.code, answer.message, { details: { purpose: request.purpose } });
    this.#counters.prompt_tokens += answer.usage.promptTokens;
    this.#counters.completion_tokens += answer.usage.completionTokens;
    return structuredClone(answer);
  }

  async embed(texts: readonly string[]): Promise<number[][] | null> {
    const key = sha256(canonicalStringify(texts));
    const queue = this.#embeddings.get(key);
    if (!queue || queue.length === 0) return null;
    this.#counters.embeddings += 1;
    return queue.shift() ?? null;
  }

  metrics(): Record<string, number> {
    return { ...this.#counters };
  }

  async close(): Promise<void> {}
}

/** Wraps a live adapter and appends every exchange to a cassette. */
export class RecordingLlm implements LlmService {
  readonly kind = "model";
  readonly #inner: LlmService;
  readonly #file: string;

  constructor(inner: LlmService, file: string) {
    this.#inner = inner;
    this.#file = file;
    mkdirSync(dirname(file), { recursive: true });
  }

  get model(): string {
    return this.#inner.model;
  }

  async chat(request: ChatRequest, signal?: AbortSignal): Promise<ChatResponse> {
    const key = requestKey(request);
    let response: ChatResponse;
    try {
      response = await this.#inner.chat(request, signal);
    } catch (error) {
      // What failed only its item is part of the exchange: the replay fails the same item.
      if (failsOnlyItsItem(error)) {
        const code = error.code as RecordedFailure["code"];
        this.#append({ key, purpose: request.purpose, request, failure: { code, message: error.message } });
      }
      throw error;
    }
    this.#append({ key, purpose: request.purpose, request, response });
    return response;
  }

  async embed(texts: readonly string[], signal?: AbortSignal): Promise<number[][] | null> {
    const vectors = await this.#inner.embed(texts, signal);
    this.#append({
      key: sha256(canonicalStringify(texts)),
      purpose: "embeddings",
      request: { purpose: "embeddings", messages: [] },
      embed: { texts: [...texts], vectors },
    });
    return vectors;
  }

  metrics(): Record<string, number> {
    return this.#inner.metrics();
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  #append(line: CassetteLine): void {
    appendFileSync(this.#file, `${canonicalStringify(line)}\n`);
  }
}
