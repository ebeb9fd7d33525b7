// The fetch the OpenAI SDK is given: an answer's body is bounded in size and in time. The SDK's own
// timeout ends when the headers arrive and it buffers any body whole; here a body past `maxBytes`
// or still arriving `timeoutMs` after the request began errors when read, and a connection cut in
// the middle of a body says so, so the adapter can tell an unusable answer from a failed request.

/** Why an answer's body could not be read: too large (an unusable answer), too slow or cut off (a failed request). */
export class ResponseBodyError extends Error {
  readonly kind: "too-large" | "timeout" | "dropped";

  constructor(kind: ResponseBodyError["kind"], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ResponseBodyError";
    this.kind = kind;
  }
}

export interface BodyLimits {
  maxBytes: number;
  timeoutMs: number;
}

/** `fetch`, with every response body bounded by `limits`; `onAttempt` runs once per HTTP request. */
export function boundedFetch(limits: BodyLimits, onAttempt: () => void = () => {}): typeof fetch {
  return async (input, init) => {
    onAttempt();
    const started = Date.now();
    const response = await fetch(input, init);
    if (!response.body) return response;
    const body = boundedBody(response.body, response.headers.get("content-length"), limits, started, init?.signal ?? undefined);
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

function boundedBody(
  source: ReadableStream<Uint8Array>,
  announced: string | null,
  limits: BodyLimits,
  started: number,
  signal: AbortSignal | undefined,
): ReadableStream<Uint8Array> {
  const tooLarge = () => new ResponseBodyError("too-large", `the response body is larger than ${bytes(limits.maxBytes)}`);
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let received = 0;
  /** Set once the body is refused: a read still pending then ends quietly. */
  let refused = false;
  const stop = () => {
    refused = true;
    clearTimeout(timer);
    reader?.cancel().catch(() => {});
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      // An announced size past the limit is refused before a byte of it is read.
      if (announced !== null && Number(announced) > limits.maxBytes) {
        refused = true;
        source.cancel().catch(() => {});
        controller.error(tooLarge());
        return;
      }
      reader = source.getReader();
      timer = setTimeout(
        () => {
          stop();
          controller.error(new ResponseBodyError("timeout", `the response body did not arrive within ${limits.timeoutMs} ms`));
        },
        Math.max(0, limits.timeoutMs - (Date.now() - started)),
      );
      timer.unref();
    },
    async pull(controller) {
      let chunk: Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>["read"]>>;
      try {
        chunk = await (reader as ReadableStreamDefaultReader<Uint8Array>).read();
      } catch (error) {
        clearTimeout(timer);
        if (refused) return;
        // The caller gave up (its own signal): that is no failure of the endpoint's.
        if (signal?.aborted) throw error;
        const why =
          error instanceof Error ? `${error.message}${error.cause instanceof Error ? `: ${error.cause.message}` : ""}` : String(error);
        throw new ResponseBodyError("dropped", `the connection closed in the middle of the response body (${why})`, { cause: error });
      }
      if (refused) return;
      if (chunk.done) {
        clearTimeout(timer);
        controller.close();
        return;
      }
      received += chunk.value.byteLength;
      if (received > limits.maxBytes) {
        stop();
        controller.error(tooLarge());
        return;
      }
      controller.enqueue(chunk.value);
    },
    cancel(reason) {
      clearTimeout(timer);
      return reader?.cancel(reason);
    },
  });
}

const bytes = (n: number) => (n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : `${n} bytes`);
