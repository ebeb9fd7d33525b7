// MCP's Streamable HTTP transport on /mcp (MCP specification, basic/transports), answering in JSON:
//   POST   a JSON-RPC request → its JSON-RPC answer (200); a notification → 202, no body.
//          `initialize` creates a session (a new episode, or the existing one named by
//          `?episode_id=` with its session secret; `?task_id=` or `?seed=` pick the task) and names
//          it in `Mcp-Session-Id`. Every later request names its session in that header (OpenEnv's
//          clients send `params.session_id` instead, and open one with `openenv/session/create`).
//          The session id is the episode's session secret, issued by the server: holding it is
//          what lets a client act on the episode (MCP asks for a cryptographically secure one).
//   GET    405: this server opens no server-to-client stream.
//   DELETE the session named in `Mcp-Session-Id` ends, and its episode with it.
// A request for a session that does not exist (never made, ended, timed out) gets HTTP 404, as the
// specification says, with a JSON-RPC error in the body; one without a session, 400. Everything
// else, an episode that is done included, is a JSON-RPC error in a 200 answer.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ServerContext } from "../context.ts";
import { answerRpc, initializeResult, MCP_VERSIONS, RPC, rpcError, rpcResult } from "../mcp-methods.ts";
import { jsonRpcRequestSchema } from "../protocol.ts";
import type { ServedEpisode } from "../served-episode.ts";
import { secretOf } from "../session-secret.ts";

const SESSION_HEADER = "mcp-session-id";

export function mcpRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { sessions } = ctx;
  const sessionOf = (request: FastifyRequest, params: Record<string, unknown> = {}): string | undefined => {
    const header = request.headers[SESSION_HEADER];
    const named = (Array.isArray(header) ? header[0] : header) ?? params.session_id;
    return typeof named === "string" && named ? named : undefined;
  };
  /** The open episode of a session id, or undefined. */
  const episodeOf = (sessionId: string): ServedEpisode | undefined => {
    try {
      return sessions.bySecret(sessionId);
    } catch {
      return undefined;
    }
  };
  const create = async (params: Record<string, unknown>): Promise<string> =>
    (await sessions.start(ctx.pickTask(params), undefined, { secret: undefined })).secret;
  const close = async (sessionId: string): Promise<boolean> => {
    const episode = episodeOf(sessionId);
    if (!episode) return false;
    await sessions.close(episode.id);
    return true;
  };

  app.post("/mcp", async (request: FastifyRequest, reply: FastifyReply) => {
    if (Array.isArray(request.body))
      return reply
        .status(400)
        .send(rpcError(null, RPC.INVALID_REQUEST, "JSON-RPC batches are not supported: send one message per request"));
    const parsed = jsonRpcRequestSchema.safeParse(request.body);
    if (!parsed.success) return reply.status(400).send(rpcError(null, RPC.INVALID_REQUEST, "not a JSON-RPC 2.0 request"));
    const rpc = parsed.data;
    const version = request.headers["mcp-protocol-version"];
    if (typeof version === "string" && !(MCP_VERSIONS as readonly string[]).includes(version))
      return reply
        .status(400)
        .send(
          rpcError(
            rpc.id,
            RPC.INVALID_REQUEST,
            `unsupported MCP-Protocol-Version ${version} (this server speaks ${MCP_VERSIONS.join(", ")})`,
          ),
        );
    const params = rpc.params ?? {};

    if (rpc.method === "initialize") {
      const named = sessionOf(request);
      const query = (request.query ?? {}) as Record<string, unknown>;
      let episode: ServedEpisode;
      if (named) {
        const found = episodeOf(named);
        if (!found) return reply.status(404).send(rpcError(rpc.id, RPC.SESSION_NOT_FOUND, "no open session of that id to bind"));
        episode = found;
      } else if (typeof query.episode_id === "string" && query.episode_id) {
        // Binding an episode opened elsewhere (an HTTP reset) takes its session secret.
        episode = sessions.get(query.episode_id, { secret: secretOf(request, query) });
      } else episode = sessions.bySecret(await create(query));
      reply.header("Mcp-Session-Id", sessions.secretOf(episode));
      return rpcResult(rpc.id, initializeResult(params.protocolVersion, episode));
    }
    if (rpc.method.startsWith("openenv/session/")) {
      const answer = await answerRpc(rpc, { episode: null, create, close });
      return answer ?? reply.status(202).send();
    }
    const id = sessionOf(request, params);
    if (rpc.id === undefined || rpc.method.startsWith("notifications/")) return reply.status(202).send();
    if (!id)
      return reply
        .status(400)
        .send(rpcError(rpc.id, RPC.SERVER_ERROR, "no session: initialize first and send its Mcp-Session-Id header (or params.session_id)"));
    const episode = episodeOf(id);
    if (!episode) return reply.status(404).send(rpcError(rpc.id, RPC.SESSION_NOT_FOUND, "Session not found"));
    return answerRpc(rpc, { episode, create, close });
  });

  app.get("/mcp", async (_request, reply) =>
    reply
      .status(405)
      .header("Allow", "POST, DELETE")
      .send(rpcError(null, RPC.SERVER_ERROR, "no server-to-client stream: POST requests")),
  );

  app.delete("/mcp", async (request, reply) => {
    const id = sessionOf(request);
    if (!id) return reply.status(400).send(rpcError(null, RPC.SERVER_ERROR, "no Mcp-Session-Id header: which session to end?"));
    if (!(await close(id))) return reply.status(404).send(rpcError(null, RPC.SESSION_NOT_FOUND, "Session not found"));
    return reply.status(200).send();
  });
}
