// An endpoint that fails some requests: oversized, trickling or cut-off bodies, dropped connections,
// 500s that persist. One failed request fails its item; only an endpoint that keeps failing stops
// the run.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { llmConfigSchema, type OpenAiSettings } from "../../../lib/llm/config.ts";
import type { ChatRequest } from "../../../lib/llm/port.ts";
import { OpenAiLlm } from "../../../lib/llm/providers/openai/openai-llm.ts";
import { RecordingLlm, ReplayLlm } from "../../../lib/llm/providers/replay/cassette.ts";
import { askUntilValid } from "../../../lib/llm/structured.ts";
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
  concurrency: 1,
  maxRetries: 1,
  timeoutMs: 2000,
  temperature: 0,
  ...extra,
});
const ask = (purpose = "test"): ChatRequest => ({ purpose, messages: [{ role: "user", content: "hello" }] });
const persisting500 = { status: 500, headers: { "retry-after-ms": "1" }, content: "boom" };

describe("the bodies the openai adapter accepts", () => {
  it("refuses a 20 MB answer as an unusable answer, whether its size is announced or not", async () => {
    const llm = new OpenAiLlm(settings({ maxRetries: 0 }));
    server.fallback = () => ({ content: "big", bodyBytes: 20_000_000 });
    const announced = await failure(llm.chat(ask("huge")));
    expect(announced.code).toBe("E_LLM_ANSWER");
    expect(announced.message).toMatch(/^huge: .* answered 200 without a usable body 1 time\(s\): the response body is larger than 16 MiB$/);
    server.fallback = () => ({ content: "big", bodyBytes: 20_000_000, chunked: true });
    const streamed = await failure(llm.chat(ask("huge")));
    expect(streamed.code).toBe("E_LLM_ANSWER");
    expect(streamed.message).toMatch(/the response body is larger than 16 MiB$/);
  });

  it("takes an answer up to maxResponseBytes and refuses one past it", async () => {
    const llm = new OpenAiLlm(settings({ maxRetries: 0, maxResponseBytes: 100_000 }));
    server.script.push({ content: "padded", bodyBytes: 99_000 }, { content: "padded", bodyBytes: 101_000, chunked: true });
    expect((await llm.chat(ask())).message.content).toBe("padded");
    expect((await failure(llm.chat(ask()))).message).toMatch(/the response body is larger than 100000 bytes$/);
  });

  it("retries a connection dropped before the reply or in the middle of its body", async () => {
    const llm = new OpenAiLlm(settings({ maxRetries: 2 }));
    server.script.push({ drop: "before-reply" }, { drop: "mid-body", content: "x".repeat(200_000) }, { content: "fine" });
    expect((await llm.chat(ask())).message.content).toBe("fine");
    expect(server.received).toHaveLength(3);
    expect(llm.metrics()).toMatchObject({ requests: 1, retries: 2, failures: 0 });
  });

  it("times out a body that stalls past the request's time limit, and retries it", async () => {
    const llm = new OpenAiLlm(settings({ timeoutMs: 300, maxRetries: 1 }));
    server.script.push({ content: "slow", stallMs: 1500 }, { content: "fine" });
    expect((await llm.chat(ask())).message.content).toBe("fine");
    server.fallback = () => ({ content: "slow", stallMs: 1500 });
    const error = await failure(llm.chat(ask("stalled")));
    expect(error.code).toBe("E_LLM_REQUEST");
    // Whether the headers or the body were late depends on the machine's load; either is this limit.
    expect(error.message).toMatch(
      /^stalled: request to .* failed after all retries: the response( body)? did not arrive within 300 ms( \(request timed out\))?$/,
    );
  });
});

describe("an endpoint that fails some requests", () => {
  it("fails only the request's item when the endpoint answers most others, and goes on answering", async () => {
    const llm = new OpenAiLlm(settings());
    for (let i = 0; i < 3; i++) await llm.chat(ask());
    server.script.push(persisting500, persisting500);
    const error = await failure(llm.chat(ask("schema:airline")));
    expect(error.code).toBe("E_LLM_REQUEST");
    expect(error.message).toMatch(/^schema:airline: .* answered 500 after all retries: 500 boom$/);
    const cut = { drop: "mid-body" as const, content: "x".repeat(100_000) };
    server.script.push(cut, cut);
    const dropped = await failure(llm.chat(ask("dropped")));
    expect(dropped.code).toBe("E_LLM_REQUEST");
    expect(dropped.message).toMatch(
      /^dropped: request to .* failed after all retries: the connection closed in the middle of the response body \(terminated: other side closed\)$/,
    );
    expect((await llm.chat(ask())).message.content).toBe("ok");
    expect(llm.metrics()).toMatchObject({ requests: 6, failures: 2 });
  });

  it("stops the run with E_LLM once more than failureShare of the last failureWindow requests failed", async () => {
    const llm = new OpenAiLlm(settings({ maxRetries: 0, failureWindow: 4, failureShare: 0.5 }));
    await llm.chat(ask());
    await llm.chat(ask());
    server.fallback = () => persisting500;
    expect((await failure(llm.chat(ask("first")))).code).toBe("E_LLM_REQUEST");
    expect((await failure(llm.chat(ask("second")))).code).toBe("E_LLM_REQUEST");
    const stopped = await failure(llm.chat(ask("third")));
    expect(stopped.code).toBe("E_LLM");
    expect(stopped.message).toMatch(/^third: .* answered 500 after all retries: 500 boom; 3 of the last 4 requests failed$/);
    expect(stopped.details.failingSince).toEqual(expect.any(Number));
  });

  it("stops the run at the first failure when no request has succeeded yet: an endpoint that never answered is down", async () => {
    const llm = new OpenAiLlm(settings({ maxRetries: 0 }));
    server.fallback = () => ({ drop: "before-reply" });
    const error = await failure(llm.chat(ask("opening")));
    expect(error.code).toBe("E_LLM");
    expect(error.message).toMatch(
      /^opening: request to .* failed after all retries: Connection error\. \(fetch failed: other side closed\); 1 of the last 1 requests failed$/,
    );
  });

  it("never counts unusable answers as the endpoint failing: it answered", async () => {
    const llm = new OpenAiLlm(settings({ maxRetries: 0, failureWindow: 2 }));
    server.fallback = () => ({ raw: '{"choices":[]}' });
    for (let i = 0; i < 4; i++) expect((await failure(llm.chat(ask()))).code).toBe("E_LLM_ANSWER");
    server.fallback = () => persisting500;
    expect((await failure(llm.chat(ask()))).code).toBe("E_LLM_REQUEST");
  });

  it("configures the window and the share under llm, with defaults", () => {
    expect(llmConfigSchema.parse({})).toMatchObject({ failureWindow: 10, failureShare: 0.5, maxResponseBytes: 16 * 1024 * 1024 });
    expect(llmConfigSchema.safeParse({ failureShare: 1 }).success).toBe(false);
    expect(llmConfigSchema.safeParse({ failureWindow: 0 }).success).toBe(false);
  });

  it("gives the item up at once when its request failed: no repair round asks again", async () => {
    const llm = new OpenAiLlm(settings({ maxRetries: 0 }));
    await llm.chat(ask());
    server.fallback = () => persisting500;
    const result = await askUntilValid(llm, ask("item"), (text) => ({ ok: true as const, value: text }), 2);
    expect(result).toEqual({
      ok: false,
      reason: expect.stringMatching(/^the request failed: item: .* answered 500 after all retries: 500 boom$/),
      rounds: 1,
    });
    expect(server.received).toHaveLength(2);
  });

  it("records a request that failed its item in the cassette, and replays the same failure", async () => {
    const file = join(tempDir(), "cassette.jsonl");
    const recording = new RecordingLlm(new OpenAiLlm(settings({ maxRetries: 0 })), file);
    await recording.chat(ask("q"));
    server.script.push(persisting500, { raw: '{"choices":[]}' });
    const failed = await failure(recording.chat(ask("r")));
    const unusable = await failure(recording.chat(ask("s")));
    expect(readFileSync(file, "utf8").trim().split("\n")).toHaveLength(3);
    const replay = new ReplayLlm(file);
    await replay.chat(ask("q"));
    expect(await failure(replay.chat(ask("r")))).toMatchObject({ code: "E_LLM_REQUEST", message: failed.message });
    expect(await failure(replay.chat(ask("s")))).toMatchObject({ code: "E_LLM_ANSWER", message: unusable.message });
  });
});
