// A verify's calls, bounded and replayed fairly: at most `maxVerifyCalls` of them (counted before
// the body is validated, so a huge list costs nothing), replayed from the task's start on an
// environment no session sees (one place under the session cap), in slices: between two slices
// other sessions' steps reach the sandbox, so one long replay delays them by a slice at most.
import type { DomainState } from "../../lib/contracts/domain-state.ts";
import type { Task } from "../../lib/contracts/task.ts";
import type { MadeCall } from "../../lib/episodes/judge/exact-match.ts";
import { judgeOutcome } from "../../lib/episodes/judge/judge.ts";
import type { ServerContext } from "./context.ts";
import { ProtocolError } from "./protocol-error.ts";

/** Calls sent to the sandbox in one message during a replay. */
export const REPLAY_SLICE = 32;

/** The calls a verify body asks to replay, by its shape (envscale's `calls` or `messages`, NeMo Gym's function calls). */
export function countVerifyCalls(body: unknown): number {
  const record = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
  const listed = (value: unknown) => (Array.isArray(value) ? value : []);
  if (Array.isArray(record.calls)) return record.calls.length;
  if (Array.isArray(record.messages))
    return record.messages.reduce((n: number, m) => n + listed((m as { tool_calls?: unknown } | null)?.tool_calls).length, 0);
  const output = listed((record.response as { output?: unknown } | null)?.output);
  return output.filter((item) => (item as { type?: unknown } | null)?.type === "function_call").length;
}

/** Refuse a verify of more calls than the server replays. */
export function checkVerifySize(ctx: ServerContext, body: unknown): void {
  const count = countVerifyCalls(body);
  if (count > ctx.maxVerifyCalls)
    throw new ProtocolError(
      413,
      "TOO_MANY_CALLS",
      `verify: ${count} calls; the server replays at most ${ctx.maxVerifyCalls} (--max-verify-calls)`,
    );
}

/** The judgement of `calls` made from `task`'s start (the verdict a live episode would get). */
export function judgeReplay(
  ctx: ServerContext,
  task: Task,
  calls: readonly MadeCall[],
  options: { exactMatch: boolean; answer: string },
): ReturnType<typeof judgeOutcome> {
  return ctx.sessions.lease(task, async (env) => {
    const succeeded: boolean[] = [];
    for (let at = 0; at < calls.length; at += REPLAY_SLICE) {
      const outcomes = await env.callMany(calls.slice(at, at + REPLAY_SLICE));
      for (const outcome of outcomes) succeeded.push(outcome.ok);
    }
    const hash = await env.stateHash();
    const state = async () => (await env.state()) as DomainState;
    return judgeOutcome(ctx.judge, task, { state, hash }, { made: calls, succeeded, answer: options.answer }, options);
  });
}
