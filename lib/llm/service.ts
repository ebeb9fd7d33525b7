// Service `llm`: the model stages talk to (or `offline`: none, and stages use their rules). The
// adapters that serve it (`openai`, `replay`, recording) are chosen by the app that builds the
// service (`cli/llm-providers.ts`): this module imports none of them.
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { canonicalStringify, sha256 } from "../../kernel/canonical-json.ts";
import { parseWithKnownKeys } from "../../kernel/config.ts";
import { EnvscaleError } from "../../kernel/errors.ts";
import { defineService } from "../../kernel/stage.ts";
import { type LlmConfig, llmConfigSchema, type OpenAiSettings } from "./config.ts";
import type { LlmService } from "./port.ts";
import { OfflineLlm } from "./providers/offline.ts";

declare module "../../kernel/stage.ts" {
  interface ServiceTypes {
    llm: LlmService & { readonly settings: LlmConfig };
  }
}

export const DEFAULT_MODEL = "gpt-4o-mini";

export function resolveLlmConfig(config: Readonly<Record<string, unknown>>): LlmConfig {
  return parseWithKnownKeys(llmConfigSchema, config.llm ?? {}, "config llm");
}

/** The adapters behind the port, by provider; the app that composes the pipeline supplies them. */
export interface LlmProviders {
  openai(settings: OpenAiSettings): LlmService | Promise<LlmService>;
  replay(cassette: string): LlmService | Promise<LlmService>;
  /** Wrap a live model so that every exchange is recorded to a cassette. */
  record(live: LlmService, cassette: string): LlmService | Promise<LlmService>;
}

/** The `llm` service plugin, its providers given by the app. */
export function llmService(providers: LlmProviders) {
  return defineService({
    service: "llm",
    description: "the model stages ask (offline: none, rules instead)",
    fingerprint(config) {
      const settings = resolveLlmConfig(config);
      if (settings.provider === "offline") return "offline";
      // A replayed run gives the answers the recorded one got: they share cached outputs.
      const cassette =
        settings.provider === "replay" && settings.cassette && existsSync(settings.cassette)
          ? sha256(readFileSync(settings.cassette))
          : null;
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
        llm = await providers.replay(resolve(settings.cassette));
      } else {
        const apiKey = settings.apiKey ?? process.env[settings.apiKeyEnv];
        const baseUrl = settings.baseUrl ?? process.env.OPENAI_BASE_URL;
        llm = await providers.openai({
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
          maxResponseBytes: settings.maxResponseBytes,
          failureWindow: settings.failureWindow,
          failureShare: settings.failureShare,
        });
        if (settings.record) llm = await providers.record(llm, resolve(settings.record));
      }
      ctx.logger.info({ provider: settings.provider, model: llm.model }, `llm: ${llm.model}`);
      return Object.assign(llm, { settings });
    },
    close: (llm) => llm.close(),
  });
}
