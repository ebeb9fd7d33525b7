// The actors played by a model: a request that fails its item ends the dialogue; an endpoint that
// keeps failing stops the run.
import { describe, expect, it } from "vitest";
import { EnvscaleError } from "../../../kernel/errors.ts";
import type { Task } from "../../../lib/contracts/task.ts";
import { ModelUser } from "../../../lib/episodes/users.ts";
import type { LlmService } from "../../../lib/llm/port.ts";
import { ModelAgent } from "../../../plugins/rollouts/model-actors.ts";

/** A model whose every chat fails with `error`. */
const failing = (error: EnvscaleError): LlmService => ({
  kind: "model",
  model: "m",
  chat: async () => {
    throw error;
  },
  embed: async () => null,
  metrics: () => ({}),
  close: async () => {},
});
const task = { instruction: "Cancel order o1.", persona: { description: "a customer", style: "terse" } } as Task;
const hello = [{ role: "user" as const, content: "hello" }];

describe("the model's actors", () => {
  it("end the dialogue when their request fails alone: the agent says nothing, the user says goodbye", async () => {
    const failed = new EnvscaleError("E_LLM_REQUEST", "agent:t1: request failed after all retries");
    expect(await new ModelAgent(failing(failed), [], "agent:t1").next(hello)).toBeNull();
    expect(await new ModelUser(failing(failed), task, "user:t1").next(hello)).toEqual({ text: "Thanks, that's all.", end: true });
  });

  it("stop the run when the endpoint keeps failing", async () => {
    const down = new EnvscaleError("E_LLM", "agent:t1: 6 of the last 10 requests failed");
    await expect(new ModelAgent(failing(down), [], "agent:t1").next(hello)).rejects.toBe(down);
    await expect(new ModelUser(failing(down), task, "user:t1").next(hello)).rejects.toBe(down);
  });
});
