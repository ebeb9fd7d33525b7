// A real HTTP server on 127.0.0.1 that speaks the OpenAI chat and embeddings wire format and answers
// with scripted replies: good answers, garbage, truncated text, 429s, 500s, slow answers, oversized
// or trickling bodies, and connections dropped before or in the middle of a reply.
import type { ServerResponse } from "node:http";
import Fastify, { type FastifyInstance, type FastifyReply } from "fastify";

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
  /** Close the connection without a reply (`before-reply`), or after the headers and half the body (`mid-body`). */
  drop?: "before-reply" | "mid-body";
  /** Pad the (valid) JSON body with trailing spaces to this many bytes. */
  bodyBytes?: number;
  /** Send the body in chunks without a content-length. */
  chunked?: boolean;
  /** Send the headers and half the body, then wait this long before the rest. */
  stallMs?: number;
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
      if (scripted.drop === "before-reply") {
        reply.hijack();
        request.raw.socket.destroy();
        return;
      }
      const status = scripted.status ?? 200;
      const text =
        scripted.raw ??
        JSON.stringify(
          status >= 400
            ? { error: { message: scripted.content ?? "scripted failure", type: "server_error" } }
            : completion(scripted, String(body.model ?? "fake-model"), fake.received.length),
        );
      return sendBody(reply, status, { "content-type": "application/json", ...scripted.headers }, text, scripted);
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

function completion(scripted: ScriptedReply, model: string, n: number) {
  return {
    id: `chatcmpl-${n}`,
    object: "chat.completion",
    created: 1735722000,
    model,
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
  };
}

/** Write `text` the way the script says: whole, padded, chunked, stalled half-way, or cut off half-way. */
async function sendBody(
  reply: FastifyReply,
  status: number,
  headers: Record<string, string>,
  text: string,
  how: ScriptedReply,
): Promise<void> {
  const bytes = Buffer.from(how.bodyBytes && how.bodyBytes > text.length ? text.padEnd(how.bodyBytes, " ") : text);
  if (!how.chunked && !how.stallMs && how.drop !== "mid-body") {
    reply.code(status).headers(headers);
    return reply.send(bytes);
  }
  reply.hijack();
  const raw: ServerResponse = reply.raw;
  raw.writeHead(status, how.chunked ? headers : { ...headers, "content-length": String(bytes.length) });
  const half = Math.floor(bytes.length / 2);
  const write = (chunk: Buffer) => new Promise<void>((resolve) => (raw.write(chunk) ? resolve() : raw.once("drain", resolve)));
  const closed = () => raw.destroyed || raw.writableEnded;
  for (let at = 0; at < half && !closed(); at += 65_536) await write(bytes.subarray(at, Math.min(half, at + 65_536)));
  if (how.drop === "mid-body") {
    raw.socket?.destroy();
    return;
  }
  if (how.stallMs) await new Promise((resolve) => setTimeout(resolve, how.stallMs));
  for (let at = half; at < bytes.length && !closed(); at += 65_536) await write(bytes.subarray(at, Math.min(bytes.length, at + 65_536)));
  if (!closed()) raw.end();
}
