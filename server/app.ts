// `envscale serve`: a finished run's tasks as OpenEnv environments over HTTP and WebSocket, with
// NeMo Gym's verify and MCP tools, on fastify.
//
//   POST /reset {seed?, episode_id?, task_id?}   → {episode_id, observation, reward, done}
//   POST /step  {action, episode_id}             → {observation, reward, done}
//   GET  /state?episode_id=…                     → {episode_id, step_count, task_id, …}
//   POST /close {episode_id}                     → {closed}
//   GET  /schema, /metadata, /health
//   WS   /ws   {type: reset|step|state|close, data} → {type: observation|state|error, data}
//   POST /verify {task_id, messages | calls}     → {reward, mask_sample, failure_kind, failure_reason}
//   POST /mcp   JSON-RPC initialize, tools/list, tools/call (session: header mcp-session-id = episode id)
//
// Unlike OpenEnv's own HTTP routes, which build a fresh environment per request, ours keep the
// episode named by `episode_id`, so a whole episode also works over plain HTTP.
import websocket from "@fastify/websocket";
import Fastify, { type FastifyInstance } from "fastify";
import type { WebSocket } from "ws";
import { z } from "zod";
import type { Task } from "../contracts/task.ts";
import type { Trajectory } from "../contracts/trajectory.ts";
import { compileEnvironment, moduleCache } from "../episodes/environment-module.ts";
import { callsMade, type JudgeContext, judgeCalls } from "../episodes/judge/judge.ts";
import { defaultValidityRules, validityProblems } from "../episodes/judge/validity.ts";
import { type LoadedRun, storedModule } from "../episodes/run-directory.ts";
import { toolDefinitions } from "../episodes/task-episode.ts";
import type { LlmService } from "../llm/port.ts";
import type { Sandbox } from "../sandbox/index.ts";
import {
  protocolSchemas,
  resetRequestSchema,
  stepRequestSchema,
  type VerifyResult,
  verifyRequestSchema,
  wsMessageSchema,
} from "./protocol.ts";
import { ProtocolError } from "./served-episode.ts";
import { Sessions } from "./sessions.ts";

export interface ServerOptions {
  run: LoadedRun;
  sandbox: Sandbox;
  llm: LlmService;
  maxSessions: number;
  idleTimeoutMs: number;
  maxTurns: number;
  exactMatch: boolean;
}

export interface EnvServer {
  app: FastifyInstance;
  sessions: Sessions;
  close(): Promise<void>;
}

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? issue.path.join(".") : "body";
  throw new ProtocolError(400, "VALIDATION_ERROR", `${what}: ${where}: ${issue?.message ?? "invalid"}`);
}

export async function buildServer(options: ServerOptions): Promise<EnvServer> {
  const { run, sandbox, llm } = options;
  if (run.tasks.length === 0) throw new Error(`${run.runDir} has no task to serve`);
  const spec = (domain: string) => {
    const found = run.environments[domain];
    if (!found) throw new ProtocolError(404, "UNKNOWN_DOMAIN", `no environment for domain ${domain}`);
    return found;
  };
  // The run's own compiled bundle when it has one: compiling in this process would stall every session.
  const module = moduleCache((domain) => {
    const found = spec(domain);
    return storedModule(run, domain).then((stored) => stored ?? compileEnvironment(sandbox, found, run.sources[domain] ?? ""));
  });
  const judge: JudgeContext = { sandbox, spec, module, schema: (d) => run.schemas[d] as NonNullable<(typeof run.schemas)[string]> };
  const sessions = new Sessions(
    { sandbox, llm, spec, module, judge, maxTurns: options.maxTurns, exactMatch: options.exactMatch },
    { maxSessions: options.maxSessions, idleTimeoutMs: options.idleTimeoutMs },
  );
  const tasks = new Map(run.tasks.map((t) => [t.id, t]));
  let rotation = 0;
  const pickTask = (request: z.infer<typeof resetRequestSchema>): Task => {
    if (request.task_id !== undefined) {
      const task = tasks.get(request.task_id);
      if (!task) throw new ProtocolError(404, "UNKNOWN_TASK", `no task ${JSON.stringify(request.task_id)} in this run`);
      return task;
    }
    const index = request.seed !== undefined ? request.seed % run.tasks.length : rotation++ % run.tasks.length;
    return run.tasks[index] as Task;
  };

  const app = Fastify({ logger: false, bodyLimit: 8 * 1024 * 1024 });
  await app.register(websocket, { options: { maxPayload: 4 * 1024 * 1024 } });
  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof ProtocolError) return reply.status(error.status).send({ error: { code: error.code, message: error.message } });
    const status = typeof (error as { statusCode?: number }).statusCode === "number" ? (error as { statusCode: number }).statusCode : 500;
    const code = status < 500 ? "BAD_REQUEST" : "INTERNAL";
    return reply.status(status).send({ error: { code, message: (error as Error).message } });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: { code: "NOT_FOUND", message: `no route ${request.method} ${request.url}` } }),
  );

  app.get("/health", async () => ({ status: "healthy", sessions: sessions.size, max_sessions: options.maxSessions }));
  app.get("/metadata", async () => ({
    name: "envscale",
    description:
      "verified tool-use environments synthesised by envscale: a task per episode, tool calls in a sandbox, reward by state alignment",
    version: "1",
    run: run.runDir,
    tasks: run.tasks.length,
    domains: Object.keys(run.environments).sort(),
    max_turns: options.maxTurns,
    exact_match: options.exactMatch,
  }));
  app.get("/schema", async () => protocolSchemas());
  app.get("/tasks", async () => run.tasks.map((t) => ({ id: t.id, domain: t.domain, read_only: t.read_only, instruction: t.instruction })));

  app.post("/reset", async (request) => {
    const body = parse(resetRequestSchema, request.body ?? {}, "reset");
    const { episode, result } = await sessions.start(pickTask(body), body.episode_id);
    return { episode_id: episode.id, ...result };
  });
  app.post("/step", async (request) => {
    const body = parse(stepRequestSchema, request.body, "step");
    return sessions.get(body.episode_id).step(body.action);
  });
  app.get("/state", async (request) => {
    const { episode_id } = parse(z.object({ episode_id: z.string().min(1) }), request.query, "state");
    return sessions.get(episode_id).state();
  });
  app.post("/close", async (request) => {
    const { episode_id } = parse(z.object({ episode_id: z.string().min(1) }), request.body, "close");
    sessions.get(episode_id);
    await sessions.close(episode_id);
    return { closed: true, episode_id };
  });

  app.post("/verify", async (request): Promise<VerifyResult> => {
    const body = parse(verifyRequestSchema, request.body, "verify");
    const task = tasks.get(body.task_id);
    if (!task) throw new ProtocolError(404, "UNKNOWN_TASK", `no task ${JSON.stringify(body.task_id)} in this run`);
    const exactMatch = body.exact_match ?? options.exactMatch;
    let verdict: { failed: VerifyResult["failure_kind"]; reasons: string[] };
    if (body.messages) {
      const messages = body.messages;
      const trajectory: Trajectory = {
        id: `verify:${task.id}`,
        task_id: task.id,
        domain: task.domain,
        attempt: 0,
        messages,
        tools: toolDefinitions(spec(task.domain)) as Trajectory["tools"],
        final_state_hash: "",
        ended_by: body.truncated ? "turn-limit" : "user",
        turns: messages.filter((m) => m.role === "assistant").length,
        tool_calls: 0,
        tool_errors: 0,
        agent: "verify",
        user: "verify",
        mistake: null,
      };
      // Validity first, as the filter does; the caller's dialogue has no recorded final state, so
      // the replay of its calls is the state. A truncated dialogue is judged on what it did.
      const problems = validityProblems(trajectory, { ...defaultValidityRules, maxTurns: options.maxTurns }).filter(
        (p) => !(body.truncated && p.startsWith("the dialogue did not terminate")),
      );
      verdict =
        problems.length > 0
          ? { failed: "validity", reasons: problems }
          : await judgeCalls(judge, task, callsMade(trajectory), { exactMatch });
    } else {
      verdict = await judgeCalls(judge, task, body.calls ?? [], { exactMatch });
    }
    return {
      reward: verdict.failed === null ? 1 : 0,
      mask_sample: body.truncated === true,
      failure_kind: verdict.failed,
      failure_reason: verdict.failed ? (verdict.reasons[0] ?? null) : null,
    };
  });

  app.post("/mcp", async (request, reply) => {
    const rpc = z
      .object({
        jsonrpc: z.literal("2.0"),
        id: z.union([z.string(), z.number(), z.null()]).optional(),
        method: z.string(),
        params: z.record(z.string(), z.unknown()).optional(),
      })
      .safeParse(request.body);
    if (!rpc.success)
      return reply.status(400).send({ jsonrpc: "2.0", id: null, error: { code: -32600, message: "not a JSON-RPC 2.0 request" } });
    const { id = null, method, params = {} } = rpc.data;
    const answer = (result: unknown) => ({ jsonrpc: "2.0", id, result });
    const failure = (code: number, message: string) => ({ jsonrpc: "2.0", id, error: { code, message } });
    if (method === "initialize")
      return answer({ protocolVersion: "2025-06-18", capabilities: { tools: {} }, serverInfo: { name: "envscale", version: "1" } });
    if (method === "notifications/initialized") return reply.status(202).send();
    const sessionId = (request.headers["mcp-session-id"] as string | undefined) ?? (request.query as { episode_id?: string }).episode_id;
    if (!sessionId)
      return reply.status(400).send(failure(-32602, "no session: send the episode id (from /reset) in the mcp-session-id header"));
    const episode = sessions.get(sessionId);
    if (method === "tools/list") return answer({ tools: episode.mcpTools() });
    if (method === "tools/call") {
      const call = z.object({ name: z.string(), arguments: z.record(z.string(), z.json()).default({}) }).safeParse(params);
      if (!call.success) return failure(-32602, "tools/call needs {name, arguments}");
      const step = await episode.step({ tool: call.data.name, arguments: call.data.arguments });
      const payload = step.observation.error ? { error: step.observation.error } : step.observation.result;
      return answer({
        content: [{ type: "text", text: JSON.stringify(payload) }],
        isError: step.observation.error !== null,
        ...(step.observation.error ? {} : { structuredContent: { result: step.observation.result } }),
      });
    }
    return failure(-32601, `method ${method} is not served (initialize, tools/list, tools/call)`);
  });

  app.register(async (scope) => {
    scope.get("/ws", { websocket: true }, (socket: WebSocket) => {
      // One environment per connection; messages are handled one after another.
      let episodeId: string | null = null;
      let chain: Promise<void> = Promise.resolve();
      const send = (type: string, data: unknown) => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify({ type, data }));
      };
      const handle = async (raw: string) => {
        let message: z.infer<typeof wsMessageSchema>;
        try {
          message = parse(wsMessageSchema, JSON.parse(raw), "message");
        } catch (error) {
          const code = error instanceof ProtocolError ? error.code : "INVALID_JSON";
          return send("error", { code, message: (error as Error).message });
        }
        try {
          if (message.type === "reset") {
            if (episodeId) await sessions.close(episodeId);
            const { episode, result } = await sessions.start(pickTask(message.data), message.data.episode_id);
            episodeId = episode.id;
            return send("observation", { episode_id: episode.id, ...result });
          }
          if (!episodeId) throw new ProtocolError(409, "NO_EPISODE", "send a reset first");
          if (message.type === "step") return send("observation", await sessions.get(episodeId).step(message.data));
          if (message.type === "state") return send("state", sessions.get(episodeId).state());
          await sessions.close(episodeId);
          episodeId = null;
          socket.close(1000, "closed");
        } catch (error) {
          send(
            "error",
            error instanceof ProtocolError
              ? { code: error.code, message: error.message }
              : { code: "EXECUTION_ERROR", message: (error as Error).message },
          );
        }
      };
      socket.on("message", (data) => {
        chain = chain.then(() => handle(data.toString()));
      });
      socket.on("close", () => {
        chain = chain.then(async () => {
          if (episodeId) await sessions.close(episodeId);
          episodeId = null;
        });
      });
    });
  });

  return {
    app,
    sessions,
    async close() {
      await app.close();
      await sessions.closeAll();
    },
  };
}
