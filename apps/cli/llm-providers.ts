// The LLM adapters this app offers behind the `llm` port, each loaded when a run first asks for it:
// `openai` (any OpenAI-compatible endpoint), `replay` (a cassette), and recording around `openai`.

import { silentLogger } from "../../kernel/log.ts";
import type { LlmConfig } from "../../lib/llm/config.ts";
import { llmSectionWithFlag } from "../../lib/llm/config.ts";
import type { LlmService } from "../../lib/llm/port.ts";
import { type LlmProviders, llmService } from "../../lib/llm/service.ts";

export const builtinLlmProviders: LlmProviders = {
  async openai(settings) {
    const { OpenAiLlm } = await import("../../lib/llm/providers/openai/openai-llm.ts");
    return new OpenAiLlm(settings);
  },
  async replay(cassette) {
    const { ReplayLlm } = await import("../../lib/llm/providers/replay/cassette.ts");
    return new ReplayLlm(cassette);
  },
  async record(live, cassette) {
    const { RecordingLlm } = await import("../../lib/llm/providers/replay/cassette.ts");
    return new RecordingLlm(live, cassette);
  },
};

/** The `llm` service of this app's pipelines and workers. */
export const builtinLlmService = llmService(builtinLlmProviders);

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
  return builtinLlmService.create({ config: { ...config, ...(llm ? { llm } : {}) }, logger: silentLogger(), ...context });
}
