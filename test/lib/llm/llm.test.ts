import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { llmFlag, type OpenAiSettings } from "../../../lib/llm/config.ts";
import type { ChatRequest } from "../../../lib/llm/port.ts";
import { OpenAiLlm } from "../../../lib/llm/providers/openai/openai-llm.ts";
import { MinuteBudget } from "../../../lib/llm/providers/openai/rate-limit.ts";
import { RecordingLlm, ReplayLlm } from "../../../lib/llm/providers/replay/cassette.ts";
import { askUntilValid, extractCode, extractJson } from "../../../lib/llm/structured.ts";
import { type FakeOpenAi, startFakeOpenAi } from "../../support/fake-openai.ts";
import { failure, tempDir } from "../../support/helpers.ts";

let server: FakeOpenAi;
beforeAll(async () => {
  server = await startFakeOpenAi();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => server.reset());

const settings = (extra: Partial<OpenAiSettings> = {}): OpenAiSettings => ({
  baseUrl: server.url,
  apiKey: "test",
  model: "fake-model",
  concurrency: 4,
  maxRetries: 3,
  timeoutMs: 2000,
  temperature: 0,
  ...extra,
});

const ask = (purpose = "test"): ChatRequest => ({ purpose, messages: [{ role: "user", content: "hello" }] });

describe("the openai adapter", () => {
  it("sends OpenAI chat requests and returns the message, tool calls and usage", async () => {
    const llm = new OpenAiLlm(settings());
    server.script.push({ toolCalls: [{ name: "get_order", arguments: '{"order_id":"o1"}' }] });
    const response = await llm.chat({
      ...ask(),
      tools: [{ type: "function", function: { name: "get_order", parameters: { type: "object" } } }],
    });
    expect(response.message.tool_calls).toEqual([
      { id: "call_0", type: "function", function: { name: "get_order", arguments: '{"order_id":"o1"}' } },
    ]);
    expect(response.usage).toEqual({ promptTokens: 11, completionTokens: 7 });
    expect(server.received[0]).toMatchObject({ model: "fake-model", messages: [{ role: "user", content: "hello" }], tool_choice: "auto" });
    expect(llm.metrics()).toMatchObject({ requests: 1, prompt_tokens: 11, completion_tokens: 7, retries: 0 });
  });

  it("retries 429 and 500 answers with backoff, and counts the retries", async () => {
    const llm = new OpenAiLlm(settings());
    server.script.push({ status: 429, headers: { "retry-after-ms": "10" } }, { status: 500 }, { content: "finally" });
    expect((await llm.chat(ask())).message.content).toBe("finally");
    expect(llm.metrics()).toMatchObject({ requests: 1, retries: 2, failures: 0 });
  });

  it("gives up after its retries with an E_LLM error naming the status and the request", async () => {
    const llm = new OpenAiLlm(settings({ maxRetries: 1 }));
    server.script.push({ status: 503, headers: { "retry-after-ms": "1" } }, { status: 503, headers: { "retry-after-ms": "1" } });
    const error = await failure(llm.chat(ask("schema:airline")));
    expect(error.code).toBe("E_LLM");
    expect(error.message).toMatch(/^schema:airline: .* answered 503 after all retries/);
    expect(llm.metrics()).toMatchObject({ failures: 1 });
  });

  it("times out a slow request, retries it, then fails", async () => {
    const llm = new OpenAiLlm(settings({ timeoutMs: 100, maxRetries: 1 }));
    server.script.push({ delayMs: 400, content: "late" }, { delayMs: 400, content: "late" });
    const error = await failure(llm.chat(ask()));
    expect(error.code).toBe("E_LLM");
    expect(error.message).toMatch(/timed out/i);
  });

  it("keeps at most `concurrency` requests in flight", async () => {
    const llm = new OpenAiLlm(settings({ concurrency: 2 }));
    server.fallback = () => ({ content: "ok", delayMs: 50 });
    await Promise.all(Array.from({ length: 6 }, () => llm.chat(ask())));
    expect(server.maxConcurrent).toBe(2);
  });

  it("asks for structured output, and falls back to JSON in words when the server refuses it", async () => {
    const llm = new OpenAiLlm(settings());
    const schema = { name: "answer", schema: { type: "object", properties: { n: { type: "number" } } } };
    server.script.push({ content: '{"n":1}' });
    await llm.chat({ ...ask(), jsonSchema: schema });
    expect(server.received[0]?.response_format).toEqual({
      type: "json_schema",
      json_schema: { name: "answer", schema: schema.schema, strict: false },
    });
    server.script.push({ status: 400, content: "response_format json_schema is not supported" }, { content: '{"n":2}' });
    expect((await llm.chat({ ...ask(), jsonSchema: schema })).message.content).toBe('{"n":2}');
    const last = server.received[server.received.length - 1] as { response_format?: unknown; messages: { content: string }[] };
    expect(last.response_format).toBeUndefined();
    expect(last.messages[last.messages.length - 1]?.content).toMatch(/^Answer with a single JSON value and nothing else/);
  });

  it("reads embeddings when an embedding model is configured, and returns null otherwise", async () => {
    expect(await new OpenAiLlm(settings()).embed(["a b"])).toBeNull();
    expect(await new OpenAiLlm(settings({ embeddingModel: "e" })).embed(["a b", "ccc"])).toEqual([
      [3, 2, 1],
      [3, 1, 1],
    ]);
  });

  it("retries a 200 without a usable body (no choices, a truncated envelope), then reports an unusable answer", async () => {
    const llm = new OpenAiLlm(settings({ maxRetries: 2 }));
    server.script.push(
      { raw: '{"id":"x","object":"chat.completion","choices":[]}' },
      { raw: '{"id":"x","object":"chat.comp' },
      { content: "fine" },
    );
    expect((await llm.chat(ask())).message.content).toBe("fine");
    expect(server.received).toHaveLength(3);
    server.reset();
    server.fallback = () => ({ raw: '{"id":"x","object":"chat.completion","choices":[]}' });
    const error = await failure(llm.chat(ask("shapes")));
    expect(error).toMatchObject({ code: "E_LLM_ANSWER" });
    expect(error.message).toMatch(/shapes: .* answered 200 without a usable body 3 time\(s\): the response has no choices\[0\]\.message/);
  });

  it("counts malformed bodies as unusable answers: repair rounds go on, then the item is rejected, never the run", async () => {
    const llm = new OpenAiLlm(settings({ maxRetries: 0 }));
    const number = (text: string) => ({ ok: true as const, value: text });
    server.script.push({ raw: '{"id":"x","choi' }, { content: "7" });
    expect(await askUntilValid(llm, ask(), number, 2)).toEqual({ ok: true, value: "7", rounds: 2 });
    server.fallback = () => ({ raw: '{"choices":[]}' });
    const result = await askUntilValid(llm, ask(), number, 1);
    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/no usable answer after 2 round\(s\): .*no choices/) });
  });
});

describe("askUntilValid", () => {
  const number = (text: string) => {
    const parsed = extractJson(text);
    if (!parsed.ok) return parsed;
    const value = (parsed.value as { n?: unknown }).n;
    return typeof value === "number" ? { ok: true as const, value } : { ok: false as const, error: "n must be a number" };
  };

  it("feeds garbage back to the model until the answer is usable", async () => {
    const llm = new OpenAiLlm(settings());
    server.script.push({ content: "{not json" }, { content: '{"n":"seven"}' }, { content: 'Sure! ```json\n{"n": 7}\n```' });
    const result = await askUntilValid(llm, ask("count"), number, 3);
    expect(result).toEqual({ ok: true, value: 7, rounds: 3 });
    const third = server.received[2] as { messages: { role: string; content: string }[] };
    expect(third.messages.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant", "user"]);
    expect(third.messages[4]?.content).toMatch(/^That answer cannot be used: n must be a number/);
  });

  it("rejects the item with the reason after the last round, without throwing", async () => {
    const llm = new OpenAiLlm(settings());
    server.script.push({ content: "" }, { content: '{"n": 1', finishReason: "length" });
    expect(await askUntilValid(llm, ask(), number, 1)).toEqual({
      ok: false,
      reason:
        "no usable answer after 2 round(s): the answer is not valid JSON (Expected ',' or '}' after property value in JSON at position 7 (line 1 column 8))",
      rounds: 2,
    });
  });

  it("extracts code from fenced blocks", () => {
    expect(extractCode("Here:\n```ts\nexport function a() {}\n```\nDone.")).toBe("export function a() {}");
    expect(extractCode("export const x = 1;")).toBe("export const x = 1;");
  });
});

describe("cassettes", () => {
  it("records every exchange and replays them offline bit for bit, in order", async () => {
    const file = join(tempDir(), "cassette.jsonl");
    const recording = new RecordingLlm(new OpenAiLlm(settings()), file);
    server.script.push({ content: "first" }, { content: "second" }, { content: "other" });
    const live = [await recording.chat(ask("q")), await recording.chat(ask("q")), await recording.chat(ask("r"))];
    expect(readFileSync(file, "utf8").trim().split("\n")).toHaveLength(3);
    const replay = new ReplayLlm(file);
    expect(replay.model).toBe("fake-model");
    expect([await replay.chat(ask("q")), await replay.chat(ask("q")), await replay.chat(ask("r"))]).toEqual(live);
    const error = await failure(replay.chat(ask("q")));
    expect(error.code).toBe("E_LLM");
    expect(error.message).toMatch(/has no more answers for request "q"/);
    expect((await failure(replay.chat(ask("never")))).message).toMatch(/has no answer for request "never"/);
  });
});

describe("request budgets", () => {
  it("waits when a minute's budget is spent", async () => {
    vi.useFakeTimers();
    try {
      const budget = new MinuteBudget(2);
      await budget.take(1);
      await budget.take(1);
      let third = false;
      const waiting = budget.take(1).then(() => (third = true));
      await vi.advanceTimersByTimeAsync(30_000);
      expect(third).toBe(false);
      await vi.advanceTimersByTimeAsync(31_000);
      await waiting;
      expect(third).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("--llm", () => {
  it("maps the flag to the config", () => {
    expect(llmFlag("offline")).toEqual({ provider: "offline" });
    expect(llmFlag("replay:tape.jsonl")).toEqual({ provider: "replay", cassette: "tape.jsonl" });
    expect(llmFlag("record:tape.jsonl")).toEqual({ provider: "openai", record: "tape.jsonl" });
    expect(() => llmFlag("gpt")).toThrow(/--llm must be/);
  });
});
