// Service `llm`: the model stages talk to (or `offline`: none, and stages use their rules).
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pino } from "pino";
import { canonicalStringify, sha256 } from "../kernel/canonical-json.ts";
import { parseWithKnownKeys } from "../kernel/config.ts";
import { EnvscaleError } from "../kernel/errors.ts";
import { defineService } from "../kernel/stage.ts";
import { type LlmConfig, llmConfigSchema, llmSectionWithFlag } from "./config.ts";
import type { LlmService } from "./port.ts";

declare module "../kernel/stage.ts" {
  interface ServiceTypes {
    llm: LlmService & { readonly settings: LlmConfig };
  }
}

export const DEFAULT_MODEL = "gpt-4o-mini";

/** No model: stages do each LLM task by rule. Asking it to chat is a bug in the stage. */
export class OfflineLlm implements LlmService {
  readonly kind = "offline";
  readonly model = "offline";
  async chat(): Promise<never> {
    throw new EnvscaleError("E_INTERNAL", "a stage asked the offline provider to chat; offline stages must use their rules");
  }
  async embed(): Promise<null> {
    return null;
  }
  metrics(): Record<string, number> {
    return {};
  }
  async close(): Promise<void> {}
}

export function resolveLlmConfig(config: Readonly<Record<string, unknown>>): LlmConfig {
  return parseWithKnownKeys(llmConfigSchema, config.llm ?? {}, "config llm");
}

/**
 * The LLM service for a command that runs outside a pipeline (`serve`, `eval rollouts`): the
 * config's `llm` section, with `--llm` over it, built as a run would build it.
 */
export async function openLlm(
  config: Readonly<Record<string, unknown>>,
  flag: string | undefined,
  context: { runDir: string; seed: number; signal: AbortSignal },
): Promise<LlmService & { readonly settings: LlmConfig }> {
  const llm = llmSectionWithFlag(config.llm as Record<string, unknown> | undefined, flag);
  return llmService.create({ config: { ...config, ...(llm ? { llm } : {}) }, logger: pino({ level: "silent" }), ...context });
}

const llmService = defineService({
  service: "llm",
  description: "the model stages ask (offline: none, rules instead)",
  fingerprint(config) {
    const settings = resolveLlmConfig(config);
    if (settings.provider === "offline") return "offline";
    // A replayed run gives the answers the recorded one got: they share cached outputs.
    const cassette =
      settings.provider === "replay" && settings.cassette && existsSync(settings.cassette) ? sha256(readFileSync(settings.cassette)) : null;
    return canonicalStringify({
      model: settings.model ?? process.env.ENVSCALE_LLM_MODEL ?? DEFAULT_MODEL,
      temperature: settings.temperature,
      cassette,
    });
  },
  async create(ctx) {
    const settings = resolveLlmConfig(ctx.config);
    let llm: LlmService;
    if (settings.provider === "offline") llm = new OfflineLlm();
    else if (settings.provider === "replay") {
      if (!settings.cassette) throw new EnvscaleError("E_CONFIG_INVALID", "llm provider replay needs a cassette (--llm replay:FILE)");
      const { ReplayLlm } = await import("./providers/replay/cassette.ts");
      llm = new ReplayLlm(resolve(settings.cassette));
    } else {
      const { OpenAiLlm } = await import("./providers/openai/openai-llm.ts");
      const apiKey = settings.apiKey ?? process.env[settings.apiKeyEnv];
      const baseUrl = settings.baseUrl ?? process.env.OPENAI_BASE_URL;
      llm = new OpenAiLlm({
        model: settings.model ?? process.env.ENVSCALE_LLM_MODEL ?? DEFAULT_MODEL,
        ...(baseUrl ? { baseUrl } : {}),
        ...(apiKey ? { apiKey } : {}),
        ...(settings.embeddingModel ? { embeddingModel: settings.embeddingModel } : {}),
        concurrency: settings.concurrency,
        ...(settings.requestsPerMinute ? { requestsPerMinute: settings.requestsPerMinute } : {}),
        ...(settings.tokensPerMinute ? { tokensPerMinute: settings.tokensPerMinute } : {}),
        maxRetries: settings.maxRetries,
        timeoutMs: settings.timeoutMs,
        temperature: settings.temperature,
      });
      if (settings.record) {
        const { RecordingLlm } = await import("./providers/replay/cassette.ts");
        llm = new RecordingLlm(llm, resolve(settings.record));
      }
    }
    ctx.logger.info({ provider: settings.provider, model: llm.model }, `llm: ${llm.model}`);
    return Object.assign(llm, { settings });
  },
  close: (llm) => llm.close(),
});

export default llmService;
