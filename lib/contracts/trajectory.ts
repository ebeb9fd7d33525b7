// A trajectory: one simulated dialogue in the OpenAI chat format (messages with `tool_calls` and
// tool results, plus the tools list), with what it was for and how it ended.
import { z } from "zod";

const toolCallSchema = z.object({
  id: z.string(),
  type: z.literal("function"),
  function: z.object({ name: z.string(), arguments: z.string() }),
});

export const chatMessageSchema = z.object({
  role: z.enum(["system", "user", "assistant", "tool"]),
  content: z.string().nullable(),
  tool_calls: z.array(toolCallSchema).optional(),
  tool_call_id: z.string().optional(),
  name: z.string().optional(),
});

export const toolDefinitionSchema = z.object({
  type: z.literal("function"),
  function: z.object({ name: z.string(), description: z.string().optional(), parameters: z.record(z.string(), z.json()).optional() }),
});

export const mistakeKinds = ["wrong-argument", "recovered-error", "skipped-step", "extra-write", "malformed-call", "repetition"] as const;
export type MistakeKind = (typeof mistakeKinds)[number];

export const trajectorySchema = z.object({
  /** `<task id>#<attempt>`. */
  id: z.string(),
  task_id: z.string(),
  domain: z.string(),
  attempt: z.number().int().min(0),
  messages: z.array(chatMessageSchema).min(1),
  tools: z.array(toolDefinitionSchema),
  final_state_hash: z.string(),
  /** `user`: the user ended it; `turn-limit`: it ran out of turns; `agent-error`: the agent could not answer. */
  ended_by: z.enum(["user", "turn-limit", "agent-error"]),
  /** Assistant messages. */
  turns: z.number().int(),
  tool_calls: z.number().int(),
  tool_errors: z.number().int(),
  /** Who played agent and user: `scripted` (offline) or the model's name. */
  agent: z.string(),
  user: z.string(),
  /** The scripted agent's planted mistake (offline only), so the filter's verdicts can be checked. */
  mistake: z.enum(mistakeKinds).nullable(),
});
export type Trajectory = z.infer<typeof trajectorySchema>;
