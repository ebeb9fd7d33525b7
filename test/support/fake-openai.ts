// A real HTTP server on 127.0.0.1 that speaks the OpenAI chat and embeddings wire format and answers
// with scripted replies: good answers, garbage, truncated text, 429s, 500s, slow answers.
import Fastify, { type FastifyInstance } from "fastify";

export interface ScriptedReply {
  status?: number;
  /** The assistant's text (wrapped in a chat completion). */
  content?: string;
  toolCalls?: { name: string; arguments: string }[];
  /** A raw body instead of a completion (for malformed responses). */
  raw?: string;
  headers?: Record<string, string>;
  delayMs?: number;
  finishReason?: string;
}

export interface FakeOpenAi {
  url: string;
  /** Replies served in order; when empty, `fallback` answers. */
  script: ScriptedReply[];
  fallback: (body: Record<string, unknown>) => ScriptedReply;
  /** Request bodies received, in order. */
  received: Record<string, unknown>[];
  /** Most requests in flight at once since the last reset (requests of earlier tests that are still being answered do not count). */
  maxConcurrent: number;
  /** Forget the script, the requests received and the concurrency count. */
  reset(): void;
  close(): Promise<void>;
}

export async function startFakeOpenAi(): Promise<FakeOpenAi> {
  const app: FastifyInstance = Fastify({ logger: false });
  let generation = 0;
  let inFlight = 0;
  const fake: FakeOpenAi = {
    url: "",
    script: [],
    fallback: () => ({ content: "ok" }),
    received: [],
    maxConcurrent: 0,
    reset() {
      generation += 1;
      inFlight = 0;
      fake.script.length = 0;
      fake.received.length = 0;
      fake.maxConcurrent = 0;
      fake.fallback = () => ({ content: "ok" });
    },
    close: () => app.close(),
  };
  app.post("/v1/chat/completions", async (request, reply) => {
    const body = request.body as Record<string, unknown>;
    const mine = generation;
    fake.received.push(body);
    inFlight += 1;
    fake.maxConcurrent = Math.max(fake.maxConcurrent, inFlight);
    try {
      const scripted = fake.script.shift() ?? fake.fallback(body);
      if (scripted.delayMs) await new Promise((resolve) => setTimeout(resolve, scripted.delayMs));
      reply.code(scripted.status ?? 200).headers({ "content-type": "application/json", ...scripted.headers });
      if (scripted.raw !== undefined) return reply.send(scripted.raw);
      if ((scripted.status ?? 200) >= 400)
        return reply.send({ error: { message: scripted.content ?? "scripted failure", type: "server_error" } });
      return reply.send({
        id: `chatcmpl-${fake.received.length}`,
        object: "chat.completion",
        created: 1735722000,
        model: String(body.model ?? "fake-model"),
        choices: [
          {
            index: 0,
            finish_reason: scripted.finishReason ?? (scripted.toolCalls ? "tool_calls" : "stop"),
            message: {
              role: "assistant",
              content: scripted.content ?? null,
              ...(scripted.toolCalls
                ? { tool_calls: scripted.toolCalls.map((call, i) => ({ id: `call_${i}`, type: "function", function: call })) }
                : {}),
            },
          },
        ],
        usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 },
      });
    } finally {
      if (mine === generation) inFlight -= 1;
    }
  });
  app.post("/v1/embeddings", async (request) => {
    const body = request.body as { input: string[] };
    fake.received.push(body as unknown as Record<string, unknown>);
    return {
      object: "list",
      model: "fake-embedding",
      data: body.input.map((text, index) => ({ object: "embedding", index, embedding: [text.length, text.split(" ").length, 1] })),
      usage: { prompt_tokens: 1, total_tokens: 1 },
    };
  });
  const address = await app.listen({ host: "127.0.0.1", port: 0 });
  fake.url = `${address}/v1`;
  return fake;
}
