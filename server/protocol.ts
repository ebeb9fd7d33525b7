// The server's protocol: OpenEnv's reset/step/state shapes with envscale's action, observation and
// state, plus NeMo Gym's verify result. `GET /schema` publishes these as JSON Schemas.
import { z } from "zod";
import { chatMessageSchema } from "../contracts/trajectory.ts";

export const toolActionSchema = z.strictObject({
  /** A tool of the episode's environment. */
  tool: z.string().min(1),
  arguments: z.record(z.string(), z.json()).default({}),
});
export const messageActionSchema = z.strictObject({
  /** Words to the user. The simulated user answers; `end: true` ends the episode. */
  message: z.string(),
  end: z.boolean().optional(),
});
export const actionSchema = z.union([toolActionSchema, messageActionSchema]);
export type Action = z.infer<typeof actionSchema>;

export const observationSchema = z.object({
  task_id: z.string(),
  domain: z.string(),
  /** At reset: the task's instruction (what the user wants). */
  instruction: z.string().nullable(),
  /** What the simulated user said: the opening at reset, the answer to a message. */
  user_message: z.string().nullable(),
  /** The tool's result after a tool action. */
  result: z.json().nullable(),
  /** A refused tool action: the sandbox's code (INVALID_ARGS, TOOL_ERROR, TIMEOUT…) and message. */
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  /** The tools this episode offers, in the OpenAI function format. */
  tools: z.array(z.object({ type: z.literal("function"), function: z.record(z.string(), z.json()) })),
  /** At `done`: why the reward is what it is. */
  verdict: z.object({ failed: z.string().nullable(), reasons: z.array(z.string()) }).nullable(),
});
export type Observation = z.infer<typeof observationSchema>;

export const stepResultSchema = z.object({
  observation: observationSchema,
  /** Null until done; then 1 when the final state matches the gold state (and the calls, with exact match), else 0. */
  reward: z.number().nullable(),
  done: z.boolean(),
});
export type StepResult = z.infer<typeof stepResultSchema>;

export const stateSchema = z.object({
  episode_id: z.string(),
  step_count: z.number().int(),
  task_id: z.string(),
  domain: z.string(),
  done: z.boolean(),
  reward: z.number().nullable(),
  tool_calls: z.number().int(),
  tool_errors: z.number().int(),
  /** Ended by: the agent (`end`), the simulated user, or the turn limit. */
  ended_by: z.enum(["agent", "user", "turn-limit"]).nullable(),
});
export type EpisodeState = z.infer<typeof stateSchema>;

export const resetRequestSchema = z.object({
  /** Picks the task (`tasks[seed mod n]`) when `task_id` is absent. */
  seed: z.number().int().min(0).optional(),
  episode_id: z.string().min(1).max(255).optional(),
  task_id: z.string().optional(),
});

export const stepRequestSchema = z.object({
  action: actionSchema,
  episode_id: z.string().min(1),
  timeout_s: z.number().positive().optional(),
  request_id: z.string().max(255).optional(),
});

export const wsMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("reset"), data: resetRequestSchema.default({}) }),
  z.object({ type: z.literal("step"), data: actionSchema }),
  z.object({ type: z.literal("state"), data: z.unknown().optional() }),
  z.object({ type: z.literal("close"), data: z.unknown().optional() }),
]);

/** `POST /verify` (NeMo Gym's verify): a finished dialogue or a list of calls, judged against a task. */
export const verifyRequestSchema = z
  .object({
    task_id: z.string(),
    /** The dialogue in the OpenAI chat format (its tool calls are replayed). */
    messages: z.array(chatMessageSchema).optional(),
    /** Or just the calls made. */
    calls: z.array(z.object({ tool: z.string(), arguments: z.record(z.string(), z.json()).default({}) })).optional(),
    /** The dialogue was cut short (turn limit): judged, but masked from training. */
    truncated: z.boolean().optional(),
    exact_match: z.boolean().optional(),
  })
  .refine((body) => body.messages !== undefined || body.calls !== undefined, { message: "give messages or calls" });

export const verifyResultSchema = z.object({
  reward: z.number(),
  /** Leave this sample out of training (a truncated dialogue says nothing about the policy's ending). */
  mask_sample: z.boolean(),
  failure_kind: z.enum(["validity", "state-alignment", "exact-match"]).nullable(),
  failure_reason: z.string().nullable(),
});
export type VerifyResult = z.infer<typeof verifyResultSchema>;

/** The JSON Schemas `GET /schema` returns. */
export function protocolSchemas(): { action: unknown; observation: unknown; state: unknown } {
  return {
    action: z.toJSONSchema(actionSchema, { io: "input" }),
    observation: z.toJSONSchema(observationSchema),
    state: z.toJSONSchema(stateSchema),
  };
}
