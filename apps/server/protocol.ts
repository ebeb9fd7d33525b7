// The server's protocol: OpenEnv's reset/step/state shapes with envscale's actions, observation and
// state; OpenEnv's MCP-style actions; NeMo Gym's verify; envscale's own verify. `GET /schema`
// publishes the action, observation and state as JSON Schemas.
//
// OpenEnv's response models (ResetResponse, StepResponse, HealthResponse, EnvironmentMetadata) are
// closed: envscale's extras travel where they allow them, in an observation's `metadata`, in the
// state (which is open), or on envscale's own routes (`/info`, `/tasks`).
import { z } from "zod";
import { chatMessageSchema } from "../../lib/contracts/trajectory.ts";

/** Longest tool name an action may give (the sandbox keeps the name of every call, an unknown tool's too). */
export const MAX_TOOL_NAME = 256;
const toolName = z.string().min(1).max(MAX_TOOL_NAME);

/** Every OpenEnv Action carries `metadata`; envscale keeps it with the step and passes it back. */
const actionMetadata = z.record(z.string(), z.json()).optional();

export const toolActionSchema = z.strictObject({
  /** A tool of the episode's environment. */
  tool: toolName,
  arguments: z.record(z.string(), z.json()).default({}),
  metadata: actionMetadata,
});
export const messageActionSchema = z.strictObject({
  /** Words to the user. The simulated user answers; `end: true` ends the episode. */
  message: z.string(),
  end: z.boolean().optional(),
  metadata: actionMetadata,
});
/** OpenEnv's ListToolsAction: the episode's tools (not a turn). */
export const listToolsActionSchema = z.strictObject({ type: z.literal("list_tools"), metadata: actionMetadata });
/** OpenEnv's CallToolAction: the same as a tool action. */
export const callToolActionSchema = z.strictObject({
  type: z.literal("call_tool"),
  tool_name: toolName,
  arguments: z.record(z.string(), z.json()).default({}),
  metadata: actionMetadata,
});
export const actionSchema = z.union([toolActionSchema, messageActionSchema, listToolsActionSchema, callToolActionSchema]);
export type Action = z.infer<typeof actionSchema>;

/**
 * A JSON object field of a request, taken as the body parser left it: JSON.parse made it JSON and
 * json-body.ts walked it for depth and poisoning keys. Validating it with z.json() would walk and
 * copy every node again, on the event loop every session shares (1.5 s for 256 calls of 1,000
 * keys). The published schemas (`GET /schema`) keep saying what it is: a JSON object of JSON values.
 */
const parsedObject = z.custom<Record<string, z.core.util.JSONType>>(
  (value) => value !== null && typeof value === "object" && !Array.isArray(value),
  { message: "expected a JSON object" },
);
const parsedArguments = parsedObject.default({});
const parsedMetadata = parsedObject.optional();

/** The action schemas a request is validated with: the published ones, their JSON object fields taken as parsed. */
const requestActions = {
  tool: toolActionSchema.extend({ arguments: parsedArguments, metadata: parsedMetadata }),
  message: messageActionSchema.extend({ metadata: parsedMetadata }),
  listTools: listToolsActionSchema.extend({ metadata: parsedMetadata }),
  callTool: callToolActionSchema.extend({ arguments: parsedArguments, metadata: parsedMetadata }),
};

/**
 * The action schema a value is meant for, from its shape, so that a bad action is told what is wrong
 * with it rather than that it matches none of four shapes.
 */
export function actionShapeOf(value: unknown): z.ZodType<Action> {
  const record = value && typeof value === "object" ? (value as Record<string, unknown>) : {};
  if (record.type === "list_tools") return requestActions.listTools;
  if (record.type === "call_tool") return requestActions.callTool;
  if ("message" in record) return requestActions.message;
  return requestActions.tool;
}

export const verdictSchema = z.object({
  /** The stage that failed (validity, state-alignment, exact-match), or null. */
  failed: z.string().nullable(),
  reasons: z.array(z.string()),
  /** What success means for this task: the rule the reward follows. */
  rule: z.string(),
});

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
  /** At `done`: why the reward is what it is, and the rule it follows. */
  verdict: verdictSchema.nullable(),
  /**
   * OpenEnv's observation metadata: the episode's id (send it back as `episode_id` over HTTP), the
   * action's metadata; at an HTTP reset, the session's secret (send it back as `session_secret`).
   */
  metadata: z.object({ episode_id: z.string() }).catchall(z.json()),
});
export type Observation = z.infer<typeof observationSchema>;

/** OpenEnv's Tool (mcp_types.py): what a list_tools action answers. */
export interface OpenEnvTool {
  name: string;
  description: string;
  input_schema: unknown;
}

/** OpenEnv's ToolError: a framework error of a call_tool action (the tool's own refusals are results). */
export const toolErrorTypes = ["execution_error", "invalid_args", "transport_error", "tool_not_found", "timeout"] as const;

export const stepResultSchema = z.object({
  observation: z.record(z.string(), z.json()),
  /** Null until done; then 1 when the task's outcome is met (and the calls match, with exact match), else 0. */
  reward: z.number().nullable(),
  done: z.boolean(),
});
export type StepResult = { observation: Record<string, unknown>; reward: number | null; done: boolean };

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

/** The secret an HTTP reset issued for its session, presented by every later request on it. */
const sessionSecret = z.string().max(256).optional();

/** OpenEnv's ResetRequest (extra fields allowed), with envscale's `task_id`. */
export const resetRequestSchema = z.object({
  /** Picks the task (`tasks[seed mod n]`) when `task_id` is absent. */
  seed: z.number().int().min(0).optional(),
  episode_id: z.string().min(1).max(255).optional(),
  task_id: z.string().optional(),
  /** To replace one's own episode by naming its id. */
  session_secret: sessionSecret,
});
export type ResetRequest = z.infer<typeof resetRequestSchema>;

/** OpenEnv's StepRequest (extra fields allowed); envscale's HTTP episodes are named by `episode_id`. */
export const stepRequestSchema = z.object({
  action: z.record(z.string(), z.unknown()),
  episode_id: z.string().min(1).max(255),
  session_secret: sessionSecret,
  timeout_s: z.number().positive().optional(),
  request_id: z.string().max(255).optional(),
});

/** A JSON-RPC 2.0 request or notification (no `id`), as MCP and OpenEnv's `/mcp` send them. */
export const jsonRpcRequestSchema = z.object({
  jsonrpc: z.literal("2.0"),
  id: z.union([z.string(), z.number()]).nullable().optional(),
  method: z.string().min(1),
  params: z.record(z.string(), z.unknown()).optional(),
});
export type JsonRpcRequest = z.infer<typeof jsonRpcRequestSchema>;

/** `POST /verify` (envscale's own): a finished dialogue or a list of calls, judged against a task. */
export const verifyRequestSchema = z
  .object({
    task_id: z.string(),
    /** The dialogue in the OpenAI chat format (its tool calls are replayed). */
    messages: z.array(chatMessageSchema).optional(),
    /** Or just the calls made. */
    calls: z.array(z.object({ tool: z.string(), arguments: parsedArguments })).optional(),
    /** With `calls`: what the agent told the user (a read-only task's answer must state its facts). */
    answer: z.string().optional(),
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
  /** What success means for the task. */
  rule: z.string(),
});
export type VerifyResult = z.infer<typeof verifyResultSchema>;

/**
 * NeMo Gym's BaseVerifyRequest: the Responses API request and the response the agent produced,
 * whose `output` holds its `function_call`s and messages; the task named as NeMo Gym's agents name
 * it (`task_id`, `problem_id`, `instance_id` or `_ng_task_index`), beside them.
 */
export const nemoVerifyRequestSchema = z.looseObject({
  responses_create_params: z.record(z.string(), z.unknown()),
  response: z.looseObject({ output: z.array(z.looseObject({ type: z.string() })).default([]) }),
});
export type NemoVerifyRequest = z.infer<typeof nemoVerifyRequestSchema>;

/** NeMo Gym's AggregateMetricsRequest. */
export const aggregateMetricsRequestSchema = z.object({ verify_responses: z.array(z.record(z.string(), z.unknown())) });

/** The JSON Schemas `GET /schema` returns (OpenEnv's SchemaResponse). */
export function protocolSchemas(): { action: unknown; observation: unknown; state: unknown } {
  return {
    action: z.toJSONSchema(actionSchema, { io: "input" }),
    observation: z.toJSONSchema(observationSchema),
    state: z.toJSONSchema(stateSchema),
  };
}
