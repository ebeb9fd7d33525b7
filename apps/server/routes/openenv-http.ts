// OpenEnv's HTTP routes, with episodes kept by id (OpenEnv's own build a fresh environment per
// request; here a whole episode works over plain HTTP):
//   POST /reset {seed?, episode_id?, task_id?}  → {observation, reward, done} (the id and the session's
//                                                 secret in observation.metadata)
//   POST /step  {action, episode_id}            → {observation, reward, done}
//   GET  /state?episode_id=…                    → the episode's state
//   POST /close {episode_id}                    → {closed, episode_id}
// Every request on an episode presents its session secret (session-secret.ts); replacing an episode
// by a reset naming its id does too.
//   GET  /schema, /metadata, /health            → OpenEnv's SchemaResponse, EnvironmentMetadata, HealthResponse
//   GET  /info, /tasks                          → envscale's own: the run, capacity; the tasks
import { basename } from "node:path";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { ServerContext } from "../context.ts";
import { actionShapeOf, protocolSchemas, resetRequestSchema, stepRequestSchema } from "../protocol.ts";
import { SECRET_HEADER, secretOf } from "../session-secret.ts";
import { parseWith } from "./validate.ts";

const episodeNamed = z.object({ episode_id: z.string().min(1).max(255), session_secret: z.string().max(256).optional() });
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

export function openEnvHttpRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { run, sessions } = ctx;
  // The run by its name: where it lives on disk is the operator's business, not a client's.
  const runName = basename(run.runDir);
  app.get("/health", async () => ({ status: "healthy" }));
  app.get("/metadata", async () => ({
    name: "envscale",
    description:
      "verified tool-use environments synthesised by envscale: a task per episode, tool calls in a sandbox, reward by the task's outcome",
    readme_content: `Serves the ${run.tasks.length} tasks of ${runName} in ${Object.keys(run.environments).length} environments. Reset picks a task (task_id, or seed mod ${run.tasks.length}); actions are tool calls ({tool, arguments} or OpenEnv's call_tool), words to the user ({message, end}) and list_tools. The reward at done is 1 when the task's outcome is met: the gold state for a task that writes, the reads made and their facts told for a read-only one.`,
    version: "1",
  }));
  app.get("/schema", async () => protocolSchemas());
  // `?collect=1`: garbage-collect first (the sandbox processes always; this process when it runs
  // with --expose-gc), so that the memory figures are live sizes: what a leak would grow.
  app.get("/info", async (request) => {
    const collect = (request.query as Record<string, unknown>).collect === "1";
    const gc = (globalThis as { gc?: () => void }).gc;
    if (collect && gc) gc();
    const sandbox = await ctx.judge.sandbox.stats({ collect });
    const memory = process.memoryUsage();
    return {
      run: runName,
      tasks: run.tasks.length,
      domains: Object.keys(run.environments).sort(),
      max_turns: ctx.maxTurns,
      exact_match: ctx.exactMatch,
      sessions: sessions.size,
      max_sessions: sessions.limits.maxSessions,
      warm_environments: sessions.pool.size,
      pool: sessions.pool.counters,
      // What the server and its sandbox processes hold (MB), for an operator watching a long run.
      memory: {
        collected: collect && gc !== undefined,
        server: { heap_mb: mb(memory.heapUsed), rss_mb: mb(memory.rss) },
        sandbox_processes: sandbox.map((p) => ({
          environments: p.environments,
          idle: p.idle,
          calls: p.calls,
          isolates_heap_mb: mb(p.heapBytes),
          isolates_mb: mb(p.isolateBytes),
          heap_mb: mb(p.processHeapBytes),
          rss_mb: mb(p.rssBytes),
        })),
      },
    };
  });
  app.get("/tasks", async () => run.tasks.map((t) => ({ id: t.id, domain: t.domain, read_only: t.read_only, instruction: t.instruction })));

  app.post("/reset", async (request, reply) => {
    const raw = (request.body ?? {}) as Record<string, unknown>;
    const body = parseWith(resetRequestSchema, raw, "reset");
    const { result, secret } = await sessions.start(ctx.pickTask(raw), body.episode_id, { secret: secretOf(request) });
    (result.observation.metadata as Record<string, unknown>).session_secret = secret;
    reply.header(SECRET_HEADER, secret);
    return result;
  });
  app.post("/step", async (request) => {
    const body = parseWith(stepRequestSchema, request.body, "step");
    const action = parseWith(actionShapeOf(body.action), body.action, "step action");
    return sessions.get(body.episode_id, { secret: secretOf(request) }).step(action);
  });
  app.get("/state", async (request) => {
    const { episode_id } = parseWith(episodeNamed, request.query, "state");
    return sessions.get(episode_id, { secret: secretOf(request, request.query) }).state();
  });
  app.post("/close", async (request) => {
    const { episode_id } = parseWith(episodeNamed, request.body, "close");
    await sessions.end(episode_id, { secret: secretOf(request) });
    return { closed: true, episode_id };
  });
}
