// The `offline` provider: no model. Stages do each LLM task by their own rules.
import { EnvscaleError } from "../../../kernel/errors.ts";
import type { LlmService } from "../port.ts";

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
