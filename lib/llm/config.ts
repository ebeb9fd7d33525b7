// The `llm` config section (and the `--llm` flag): which provider, which model, how hard to push it.
import { z } from "zod";
import { EnvscaleError } from "../../kernel/errors.ts";

/** Defaults of the endpoint's bounds, shared by the config and the adapter. */
export const ENDPOINT_DEFAULTS = { maxResponseBytes: 16 * 1024 * 1024, failureWindow: 10, failureShare: 0.5 } as const;

export const llmConfigSchema = z.strictObject({
  /** `offline` (default): no model, rules. `openai`: an OpenAI-compatible endpoint. `replay`: a cassette. */
  provider: z.enum(["offline", "openai", "replay"]).default("offline"),
  /** Endpoint (default: $OPENAI_BASE_URL, else https://api.openai.com/v1). Works with vLLM, SGLang, Ollama, LiteLLM… */
  baseUrl: z.string().url().optional(),
  /** Chat model (default: $ENVSCALE_LLM_MODEL, else gpt-4o-mini). */
  model: z.string().min(1).optional(),
  /** API key (default: the environment variable named by apiKeyEnv). */
  apiKey: z.string().optional(),
  apiKeyEnv: z.string().default("OPENAI_API_KEY"),
  /** Embedding model; with it, the tool graph uses real embeddings. */
  embeddingModel: z.string().min(1).optional(),
  /** Requests in flight at once. */
  concurrency: z.number().int().min(1).max(256).default(4),
  requestsPerMinute: z.number().int().min(1).optional(),
  tokensPerMinute: z.number().int().min(1).optional(),
  /** Retries on 429, 5xx, timeouts and connection errors (with backoff). */
  maxRetries: z.number().int().min(0).max(20).default(4),
  /** Time limit of one request, ms, until the last byte of its answer. */
  timeoutMs: z.number().int().min(100).default(120_000),
  /** Largest answer taken, bytes; a larger one is an unusable answer, never buffered whole. */
  maxResponseBytes: z.number().int().min(1024).default(ENDPOINT_DEFAULTS.maxResponseBytes),
  /**
   * A request that fails after its retries fails only its item, unless more than `failureShare`
   * of the last `failureWindow` requests failed: then the endpoint is down and the run stops.
   */
  failureWindow: z.number().int().min(1).max(1000).default(ENDPOINT_DEFAULTS.failureWindow),
  failureShare: z.number().min(0).lt(1).default(ENDPOINT_DEFAULTS.failureShare),
  temperature: z.number().min(0).max(2).default(0.2),
  /** Rounds of feedback when the model's answer is unusable (bad JSON, wrong shape, code that does not compile). */
  repairRounds: z.number().int().min(0).max(10).default(2),
  /** Replay this cassette (provider replay). */
  cassette: z.string().optional(),
  /** Record every exchange to this cassette (provider openai). */
  record: z.string().optional(),
});

export type LlmConfig = z.infer<typeof llmConfigSchema>;

/** What an OpenAI-compatible adapter is given. */
export interface OpenAiSettings {
  baseUrl?: string;
  apiKey?: string;
  model: string;
  embeddingModel?: string;
  concurrency: number;
  requestsPerMinute?: number;
  tokensPerMinute?: number;
  maxRetries: number;
  timeoutMs: number;
  temperature: number;
  /** Defaults: ENDPOINT_DEFAULTS. */
  maxResponseBytes?: number;
  failureWindow?: number;
  failureShare?: number;
}

/** `--llm offline|openai|replay:FILE|record:FILE` as config. */
export function llmFlag(value: string): Partial<LlmConfig> {
  if (value === "offline" || value === "openai") return { provider: value };
  if (value.startsWith("replay:")) return { provider: "replay", cassette: value.slice("replay:".length) };
  if (value.startsWith("record:")) return { provider: "openai", record: value.slice("record:".length) };
  throw new Error(`--llm must be offline, openai, replay:FILE or record:FILE, got "${value}"`);
}

/** The config's `llm` section with `--llm` over it (a malformed flag is a usage error). */
export function llmSectionWithFlag(
  section: Record<string, unknown> | undefined,
  flag: string | undefined,
): Record<string, unknown> | undefined {
  if (!flag) return section;
  try {
    return { ...section, ...llmFlag(flag) };
  } catch (error) {
    throw new EnvscaleError("E_USAGE", (error as Error).message);
  }
}
