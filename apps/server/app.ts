// `envscale serve`: a finished run's tasks as environments for RL trainers, on fastify, speaking the
// peers' own protocols so that their clients work unchanged:
//   OpenEnv   HTTP reset/step/state/close/schema/metadata/health and WebSocket /ws (routes/openenv-http.ts, routes/websocket.ts)
//   MCP       Streamable HTTP on /mcp, sessions bound to episodes (routes/mcp.ts)
//   NeMo Gym  /verify, /seed_session, tool routes, /aggregate_metrics (routes/verify.ts)
// Every request body is JSON within the server's limits (json-body.ts; `maxBodyBytes`, 413 past it);
// a bad request gets a 4xx with `{"error": {"code", "message"}}` (a JSON-RPC error on /mcp), never a
// 500. A request must arrive whole within `requestTimeoutMs` (headers included), a WebSocket frame
// once begun too (routes/websocket.ts); otherwise its connection is dropped.
import cookie from "@fastify/cookie";
import websocket from "@fastify/websocket";
import Fastify, { type FastifyInstance } from "fastify";
import type { EnvironmentSpec } from "../../lib/contracts/environment-spec.ts";
import { compileEnvironment, moduleCache } from "../../lib/episodes/environment-module.ts";
import type { JudgeContext } from "../../lib/episodes/judge/judge.ts";
import { type LoadedRun, storedModule } from "../../lib/episodes/run-directory.ts";
import type { LlmService } from "../../lib/llm/port.ts";
import type { Sandbox } from "../../sandbox/index.ts";
import { requireBearerToken } from "./bearer-token.ts";
import { type ServerContext, taskPicker } from "./context.ts";
import { parseJsonBody } from "./json-body.ts";
import { ProtocolError } from "./protocol-error.ts";
import { mcpRoutes } from "./routes/mcp.ts";
import { openEnvHttpRoutes } from "./routes/openenv-http.ts";
import { verifyRoutes } from "./routes/verify.ts";
import { websocketRoute } from "./routes/websocket.ts";
import { type SessionLimits, Sessions } from "./sessions.ts";

export interface ServerOptions {
  run: LoadedRun;
  sandbox: Sandbox;
  llm: LlmService;
  maxSessions: number;
  idleTimeoutMs: number;
  maxTurns: number;
  exactMatch: boolean;
  /** Warm environments kept between episodes. */
  pool?: SessionLimits["pool"];
  /** A bearer token every request must carry (`Authorization: Bearer <token>`); none: no check. */
  token?: string;
  /** Most calls a verify replays (default 256). */
  maxVerifyCalls?: number;
  /** Largest request body, and WebSocket message (default 4 MB). */
  maxBodyBytes?: number;
  /** Longest a request (or a begun WebSocket frame) may take to arrive (default 30 s). */
  requestTimeoutMs?: number;
}

export const serverDefaults = { maxVerifyCalls: 256, maxBodyBytes: 4 * 1024 * 1024, requestTimeoutMs: 30_000 } as const;

export interface EnvServer {
  app: FastifyInstance;
  sessions: Sessions;
  close(): Promise<void>;
}

export async function buildServer(options: ServerOptions): Promise<EnvServer> {
  const { run, sandbox, llm } = options;
  if (run.tasks.length === 0) throw new Error(`${run.runDir} has no task to serve`);
  const spec = (domain: string): EnvironmentSpec => {
    const found = run.environments[domain];
    if (!found) throw new ProtocolError(404, "UNKNOWN_DOMAIN", `no environment for domain ${domain}`);
    return found;
  };
  // The run's own compiled bundle when it has one: compiling in this process would stall every session.
  const module = moduleCache((domain) => {
    const found = spec(domain);
    return storedModule(run, domain).then((stored) => stored ?? compileEnvironment(sandbox, found, run.sources[domain] ?? ""));
  });
  const judge: JudgeContext = {
    sandbox,
    spec,
    module,
    schema: (d) => run.schemas[d] as NonNullable<(typeof run.schemas)[string]>,
    states: run.states,
  };
  const sessions = new Sessions(
    { sandbox, llm, spec, module, judge, maxTurns: options.maxTurns, exactMatch: options.exactMatch },
    { maxSessions: options.maxSessions, idleTimeoutMs: options.idleTimeoutMs, ...(options.pool ? { pool: options.pool } : {}) },
  );
  const limits = {
    maxVerifyCalls: options.maxVerifyCalls ?? serverDefaults.maxVerifyCalls,
    maxBodyBytes: options.maxBodyBytes ?? serverDefaults.maxBodyBytes,
    requestTimeoutMs: options.requestTimeoutMs ?? serverDefaults.requestTimeoutMs,
  };
  const ctx: ServerContext = {
    run,
    sessions,
    judge,
    maxTurns: options.maxTurns,
    maxVerifyCalls: limits.maxVerifyCalls,
    exactMatch: options.exactMatch,
    spec,
    ...taskPicker(run),
  };

  const app = Fastify({
    logger: false,
    bodyLimit: limits.maxBodyBytes,
    // Node checks these every connectionsCheckingInterval: a trickling request is dropped (408)
    // within a quarter of the timeout past it.
    requestTimeout: limits.requestTimeoutMs,
    http: {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, limits.requestTimeoutMs / 4)),
    },
  });
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) => {
    try {
      done(null, (body as string).trim() === "" ? undefined : parseJsonBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  await app.register(cookie);
  await app.register(websocket, { options: { maxPayload: limits.maxBodyBytes } });
  // Before every route, the WebSocket upgrade included; after the websocket plugin's own hook, which
  // marks an upgrade request so that its socket is closed once refused.
  if (options.token) requireBearerToken(app, options.token);
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof ProtocolError) {
      // /mcp answers in JSON-RPC even when the body could not be read.
      if (request.url.startsWith("/mcp")) {
        const id = (request.body as { id?: unknown } | undefined)?.id;
        const code = error.code === "INVALID_JSON" ? -32700 : error.status === 400 ? -32600 : error.status === 404 ? -32001 : -32000;
        return reply.status(error.status).send({
          jsonrpc: "2.0",
          id: typeof id === "string" || typeof id === "number" ? id : null,
          error: { code, message: error.message, ...(code === -32000 ? { data: { code: error.code } } : {}) },
        });
      }
      return reply.status(error.status).send({ error: { code: error.code, message: error.message } });
    }
    const status = typeof (error as { statusCode?: number }).statusCode === "number" ? (error as { statusCode: number }).statusCode : 500;
    if (status === 413)
      return reply.status(413).send({
        error: { code: "BODY_TOO_LARGE", message: `the request body is larger than ${limits.maxBodyBytes} bytes, the server's limit` },
      });
    const code = status < 500 ? "BAD_REQUEST" : "INTERNAL";
    return reply.status(status).send({ error: { code, message: (error as Error).message } });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: { code: "NOT_FOUND", message: `no route ${request.method} ${request.url}` } }),
  );

  openEnvHttpRoutes(app, ctx);
  mcpRoutes(app, ctx);
  verifyRoutes(app, ctx);
  websocketRoute(app, ctx, { frameTimeoutMs: limits.requestTimeoutMs, idleTimeoutMs: options.idleTimeoutMs });

  return {
    app,
    sessions,
    async close() {
      await app.close();
      await sessions.closeAll();
    },
  };
}
