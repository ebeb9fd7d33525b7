// Asking a model for something usable: JSON of a shape, or code that compiles, with the error fed
// back for a few rounds. Garbage never crashes a run: after the last round the item is rejected
// with the reason.
import { z } from "zod";
import { EnvscaleError } from "../../kernel/errors.ts";
import type { ChatMessage, ChatRequest, LlmService } from "./port.ts";

export type Check<T> = (
  text: string,
) => Promise<{ ok: true; value: T } | { ok: false; error: string }> | { ok: true; value: T } | { ok: false; error: string };

export type Attempted<T> = { ok: true; value: T; rounds: number } | { ok: false; reason: string; rounds: number };

/**
 * Send `request`; check the answer's text with `check`; on failure, show the model its answer and
 * the error, and ask again, up to `repairRounds` more times. A request that failed after its
 * retries (E_LLM_REQUEST) gives the item up at once: asking again would only repeat them. An
 * endpoint that keeps failing (E_LLM) stops the run: that error propagates.
 */
export async function askUntilValid<T>(
  llm: LlmService,
  request: ChatRequest,
  check: Check<T>,
  repairRounds: number,
  signal?: AbortSignal,
): Promise<Attempted<T>> {
  const messages: ChatMessage[] = [...request.messages];
  let lastError = "";
  for (let round = 0; round <= repairRounds; round++) {
    let response: Awaited<ReturnType<LlmService["chat"]>>;
    try {
      response = await llm.chat(
        { ...request, messages, purpose: round === 0 ? request.purpose : `${request.purpose}#repair${round}` },
        signal,
      );
    } catch (error) {
      if (error instanceof EnvscaleError && error.code === "E_LLM_REQUEST")
        return { ok: false, reason: `the request failed: ${error.message}`, rounds: round + 1 };
      // A malformed body is an unusable answer like any other: the next round asks again.
      if (!(error instanceof EnvscaleError && error.code === "E_LLM_ANSWER")) throw error;
      lastError = error.message;
      continue;
    }
    const text = response.message.content ?? "";
    const result = await check(text);
    if (result.ok) return { ok: true, value: result.value, rounds: round + 1 };
    lastError = result.error;
    messages.push(
      { role: "assistant", content: text },
      { role: "user", content: `That answer cannot be used: ${result.error}\nReply again, correctly, with nothing but the answer.` },
    );
  }
  return { ok: false, reason: `no usable answer after ${repairRounds + 1} round(s): ${lastError}`, rounds: repairRounds + 1 };
}

/** The JSON value in a model's text: the whole text, a fenced block, or the first {…} or […] span. */
export function extractJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  const candidates = [text.trim()];
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(text);
  if (fenced?.[1]) candidates.push(fenced[1].trim());
  const start = text.search(/[[{]/);
  if (start >= 0) {
    const open = text[start] as "{" | "[";
    const end = text.lastIndexOf(open === "{" ? "}" : "]");
    if (end > start) candidates.push(text.slice(start, end + 1));
  }
  let firstError = "";
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      return { ok: true, value: JSON.parse(candidate) };
    } catch (error) {
      firstError ||= (error as Error).message;
    }
  }
  return { ok: false, error: text.trim() ? `the answer is not valid JSON (${firstError})` : "the answer is empty" };
}

/** The code in a model's text: the first fenced block (ts, typescript, js), else the whole text. */
export function extractCode(text: string): string {
  const fenced = /```(?:ts|typescript|js|javascript)?\s*\n([\s\S]*?)```/i.exec(text);
  return (fenced?.[1] ?? text).trim();
}

/**
 * Ask for JSON of one zod schema: the request's JSON Schema is derived from it (structured output
 * where the server supports it), the answer is parsed and validated against the same schema, and
 * `check` adds what a schema cannot say (names that must exist, consistency), returning the value
 * to keep or the problem to feed back. Unusable answers are shown back as in `askUntilValid`.
 */
export async function askForJson<S extends z.ZodType, R = z.infer<S>>(
  llm: LlmService,
  request: Omit<ChatRequest, "jsonSchema">,
  shape: { name: string; schema: S },
  check: ((value: z.infer<S>) => Checked<R> | Promise<Checked<R>>) | null,
  repairRounds: number,
  signal?: AbortSignal,
): Promise<Attempted<R>> {
  const jsonSchema = {
    name: shape.name,
    schema: z.toJSONSchema(shape.schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>,
  };
  return askUntilValid(
    llm,
    { ...request, jsonSchema },
    async (text) => {
      const json = extractJson(text);
      if (!json.ok) return json;
      const parsed = shape.schema.safeParse(json.value);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue?.path.length ? issue.path.join(".") : "(root)";
        return { ok: false, error: `the JSON does not have the required shape: at ${where}: ${issue?.message ?? "invalid"}` };
      }
      return check ? check(parsed.data) : { ok: true, value: parsed.data as R };
    },
    repairRounds,
    signal,
  );
}

type Checked<T> = { ok: true; value: T } | { ok: false; error: string };
