// Judging a finished episode from outside (RL trainers' verifiers), and NeMo Gym's resources-server
// routes:
//   POST /verify  envscale's {task_id, messages | calls, answer?, truncated?, exact_match?}
//                 → {reward, mask_sample, failure_kind, failure_reason, rule};
//                 or NeMo Gym's BaseVerifyRequest {responses_create_params, response, task_id…}
//                 → the request echoed with `reward` (and the verdict) added, as NeMo Gym's agents validate.
//   POST /seed_session      NeMo Gym's agents call it first: an episode for the named task, its
//                           session secret in a cookie; the verify that carries the cookie ends it.
//   POST /<tool>            NeMo Gym's agents call tools so: the tool runs in the cookie's episode.
//   POST /aggregate_metrics NeMo Gym's AggregateMetrics over verify responses.
// Calls are replayed from the task's start: a verdict never trusts what the caller says happened.
// At most --max-verify-calls of them, in slices that let other sessions through (verify-replay.ts).
import type { FastifyInstance, FastifyReply } from "fastify";
import type { Task } from "../../../lib/contracts/task.ts";
import type { Trajectory } from "../../../lib/contracts/trajectory.ts";
import { answerOf, callsMade } from "../../../lib/episodes/judge/judge.ts";
import { defaultValidityRules, validityProblems } from "../../../lib/episodes/judge/validity.ts";
import { parseArguments, toolDefinitions } from "../../../lib/episodes/task-episode.ts";
import type { ServerContext } from "../context.ts";
import {
  aggregateMetricsRequestSchema,
  type NemoVerifyRequest,
  nemoVerifyRequestSchema,
  type Observation,
  type VerifyResult,
  verifyRequestSchema,
} from "../protocol.ts";
import { ProtocolError } from "../protocol-error.ts";
import { checkVerifySize, judgeReplay } from "../verify-replay.ts";
import { parseWith } from "./validate.ts";

/** The cookie NeMo Gym's agents carry from /seed_session to the tool routes: the episode's session secret. */
const EPISODE_COOKIE = "envscale_episode";
/** The keys NeMo Gym's agents name a task by, beside the request. */
const TASK_KEYS = ["task_id", "problem_id", "instance_id", "_ng_task_index"];

export function verifyRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post("/verify", async (request) => {
    const body = request.body as Record<string, unknown> | null;
    checkVerifySize(ctx, body);
    if (!(body && typeof body === "object" && "responses_create_params" in body)) return verifyEnvscale(ctx, body);
    // Verify ends a NeMo Gym rollout: its seeded episode is done with (the verdict comes from a
    // replay), and its place is free for the replay's environment.
    await closeSeeded(ctx, request.cookies[EPISODE_COOKIE]);
    return verifyNemo(ctx, body);
  });

  app.post("/seed_session", async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    await closeSeeded(ctx, request.cookies[EPISODE_COOKIE]);
    const { secret } = await ctx.sessions.start(ctx.pickTask(body), undefined, { secret: undefined });
    reply.setCookie(EPISODE_COOKIE, secret, { path: "/", httpOnly: true, sameSite: "lax" });
    return {};
  });

  app.post("/aggregate_metrics", async (request) =>
    aggregateMetrics(parseWith(aggregateMetricsRequestSchema, request.body, "aggregate_metrics")),
  );

  // NeMo Gym's tool routes: every other POST path names a tool of the cookie's episode.
  app.post("/:tool", async (request, reply: FastifyReply) => {
    const { tool } = request.params as { tool: string };
    const id = request.cookies[EPISODE_COOKIE];
    if (!id) throw new ProtocolError(400, "NO_SESSION", `POST /${tool}: no episode: call /seed_session first and send its cookie`);
    const args = request.body ?? {};
    if (typeof args !== "object" || Array.isArray(args))
      throw new ProtocolError(400, "VALIDATION_ERROR", `POST /${tool}: the body must be the arguments, a JSON object`);
    const step = await ctx.sessions.bySecret(id).step({ tool: normalizeToolName(tool), arguments: args as Record<string, never> });
    const observation = step.observation as Observation;
    // Resource-server errors are model-visible tool outputs (NeMo Gym's agents pass them on).
    return reply.send(observation.error ? { error: observation.error } : observation.result);
  });
}

/** End the episode a NeMo Gym cookie holds the secret of, if it is still open. */
async function closeSeeded(ctx: ServerContext, secret: string | undefined): Promise<void> {
  if (!secret) return;
  let id: string;
  try {
    id = ctx.sessions.bySecret(secret).id;
  } catch {
    return;
  }
  await ctx.sessions.close(id);
}

/** NeMo Gym's MCP-native agents namespace tool names (`mcp__<server>__<tool>`): the bare name. */
function normalizeToolName(name: string): string {
  if (!name.startsWith("mcp__")) return name;
  const rest = name.slice("mcp__".length);
  const cut = rest.indexOf("__");
  return cut >= 0 ? rest.slice(cut + 2) : name;
}

async function verifyEnvscale(ctx: ServerContext, raw: unknown): Promise<VerifyResult> {
  const body = parseWith(verifyRequestSchema, raw, "verify");
  const task = ctx.task(body.task_id);
  const exactMatch = body.exact_match ?? ctx.exactMatch;
  if (body.messages) {
    const messages = body.messages;
    const trajectory = asTrajectory(ctx, task, messages, body.truncated === true);
    // Validity first, as the filter does; the caller's dialogue has no recorded final state, so
    // the replay of its calls is the state. A truncated dialogue is judged on what it did.
    const problems = validityProblems(trajectory, { ...defaultValidityRules, maxTurns: ctx.maxTurns }).filter(
      (p) => !(body.truncated && p.startsWith("the dialogue did not terminate")),
    );
    const verdict = await judgeReplay(ctx, task, callsMade(trajectory), { exactMatch, answer: answerOf(messages) });
    return verifyResult(problems.length > 0 ? { ...verdict, failed: "validity", reasons: problems } : verdict, body.truncated === true);
  }
  const verdict = await judgeReplay(ctx, task, body.calls ?? [], { exactMatch, answer: body.answer ?? "" });
  return verifyResult(verdict, body.truncated === true);
}

function verifyResult(
  verdict: { failed: VerifyResult["failure_kind"]; reasons: string[]; rule: string },
  truncated: boolean,
): VerifyResult {
  return {
    reward: verdict.failed === null ? 1 : 0,
    mask_sample: truncated,
    failure_kind: verdict.failed,
    failure_reason: verdict.failed ? (verdict.reasons[0] ?? null) : null,
    rule: verdict.rule,
  };
}

function asTrajectory(ctx: ServerContext, task: Task, messages: Trajectory["messages"], truncated: boolean): Trajectory {
  return {
    id: `verify:${task.id}`,
    task_id: task.id,
    domain: task.domain,
    attempt: 0,
    messages,
    tools: toolDefinitions(ctx.spec(task.domain)) as Trajectory["tools"],
    final_state_hash: "",
    ended_by: truncated ? "turn-limit" : "user",
    turns: messages.filter((m) => m.role === "assistant").length,
    tool_calls: 0,
    tool_errors: 0,
    agent: "verify",
    user: "verify",
    mistake: null,
  };
}

/** NeMo Gym's verify: the function calls and messages of the response's output, judged against the named task. */
async function verifyNemo(ctx: ServerContext, raw: Record<string, unknown>): Promise<Record<string, unknown>> {
  const body: NemoVerifyRequest = parseWith(nemoVerifyRequestSchema, raw, "verify");
  if (!TASK_KEYS.some((key) => body[key] !== undefined))
    throw new ProtocolError(400, "VALIDATION_ERROR", `verify: name the task beside the request (${TASK_KEYS.join(", ")})`);
  const task = ctx.pickTask(body);
  const calls: { tool: string; arguments: Record<string, never> }[] = [];
  const malformed: string[] = [];
  const said: string[] = [];
  for (const item of body.response.output) {
    if (item.type === "function_call") {
      const name = normalizeToolName(String(item.name ?? ""));
      const parsed = parseArguments(typeof item.arguments === "string" ? item.arguments : JSON.stringify(item.arguments ?? {}));
      if (parsed.ok) calls.push({ tool: name, arguments: parsed.value as Record<string, never> });
      else malformed.push(`malformed call of ${name}: ${parsed.error}`);
    } else if (item.type === "message" && (item.role ?? "assistant") === "assistant") said.push(messageText(item.content));
  }
  const verdict = await judgeReplay(ctx, task, calls, { exactMatch: ctx.exactMatch, answer: said.join("\n") });
  const failed = malformed.length > 0 ? "validity" : verdict.failed;
  const reasons = malformed.length > 0 ? malformed : verdict.reasons;
  return { ...raw, reward: failed === null ? 1 : 0, verdict: { failed, reasons, rule: verdict.rule } };
}

/** The text of a Responses API message: a string, or its output_text parts. */
function messageText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part) =>
      part && typeof part === "object" && typeof (part as { text?: unknown }).text === "string" ? (part as { text: string }).text : "",
    )
    .join("");
}

/** NeMo Gym's AggregateMetrics: per task (by the key it was named by) and over every verify response. */
function aggregateMetrics({ verify_responses }: { verify_responses: Record<string, unknown>[] }) {
  const taskOf = (response: Record<string, unknown>) => {
    const key = TASK_KEYS.find((k) => response[k] !== undefined);
    return key ? String(response[key]) : "unknown";
  };
  const rewards = verify_responses.map((r) => (typeof r.reward === "number" ? r.reward : 0));
  const groups = new Map<string, number[]>();
  verify_responses.forEach((response, i) => {
    const list = groups.get(taskOf(response)) ?? [];
    list.push(rewards[i] as number);
    groups.set(taskOf(response), list);
  });
  const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
  const agent = {
    "mean/reward": mean(rewards),
    "max/reward": rewards.length === 0 ? 0 : Math.max(...rewards),
    "min/reward": rewards.length === 0 ? 0 : Math.min(...rewards),
    num_verify_responses: rewards.length,
    num_tasks: groups.size,
    // A task counts as solved at k when one of its k responses earned the reward; pass^k when all did.
    "pass@k": mean([...groups.values()].map((xs) => (xs.some((x) => x >= 1) ? 1 : 0))),
    "pass^k": mean([...groups.values()].map((xs) => (xs.every((x) => x >= 1) ? 1 : 0))),
  };
  return {
    group_level_metrics: [...groups]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([task, xs]) => ({ task, "mean/reward": mean(xs), count: xs.length })),
    agent_metrics: agent,
    key_metrics: { "mean/reward": agent["mean/reward"], "pass@k": agent["pass@k"] },
  };
}
