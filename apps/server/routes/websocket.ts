// OpenEnv's WebSocket protocol on /ws: one episode per connection, messages handled in order.
//   {type: "reset", data: {seed?, episode_id?, task_id?}} → {type: "observation", data: {observation, reward, done}}
//   {type: "step", data: <action>}                          → {type: "observation", data: …}
//   {type: "state"}                                         → {type: "state", data: <state>}
//   {type: "mcp", data: <JSON-RPC request>}                 → {type: "mcp", data: <JSON-RPC response>}
//   {type: "close"}                                         → the episode ends, the socket closes
// Anything else is answered {type: "error", data: {code, message}} with OpenEnv's codes
// (INVALID_JSON, UNKNOWN_TYPE, VALIDATION_ERROR, CAPACITY_REACHED, EXECUTION_ERROR…), and the
// connection stays. The connection's episode is its own: no other socket or HTTP client can read,
// step, close or replace it (a reset naming another's id is NOT_OWNER), and this socket reaches no
// other episode. A frame begun and not finished within `frameTimeoutMs` drops the connection; one
// silent for `idleTimeoutMs` (the session idle timeout) is closed with 1001.
import type { FastifyInstance } from "fastify";
import type { WebSocket } from "ws";
import type { ServerContext } from "../context.ts";
import { parseJsonBody } from "../json-body.ts";
import { answerRpc } from "../mcp-methods.ts";
import { messageText } from "../message-text.ts";
import { actionShapeOf, jsonRpcRequestSchema, resetRequestSchema } from "../protocol.ts";
import { ProtocolError } from "../protocol-error.ts";
import { type SocketTimeouts, watchTimeouts } from "../socket-timeouts.ts";
import { parseWith } from "./validate.ts";

const TYPES = ["reset", "step", "state", "close", "mcp"];

export function websocketRoute(app: FastifyInstance, ctx: ServerContext, timeouts: SocketTimeouts): void {
  const { sessions } = ctx;
  app.register(async (scope) => {
    scope.get("/ws", { websocket: true }, (socket: WebSocket, request) => {
      const self = { socket };
      const clock = watchTimeouts(socket, request.raw.socket, timeouts);
      let episodeId: string | null = null;
      let chain: Promise<void> = Promise.resolve();
      const send = (type: string, data: unknown) => {
        if (socket.readyState === socket.OPEN) socket.send(messageText(type, data));
        clock.active();
      };
      const handle = async (raw: string) => {
        try {
          const message = parseJsonBody(raw, "the message");
          const { type, data } = (message && typeof message === "object" ? message : {}) as { type?: unknown; data?: unknown };
          if (typeof type !== "string" || !TYPES.includes(type))
            throw new ProtocolError(400, "UNKNOWN_TYPE", `Unknown message type: ${String(type ?? "")} (reset, step, state, close, mcp)`);
          if (type === "reset") {
            const request = (data ?? {}) as Record<string, unknown>;
            const body = parseWith(resetRequestSchema, request, "reset");
            if (episodeId) await sessions.endIfOwned(episodeId, self);
            episodeId = null;
            const { episode, result } = await sessions.start(ctx.pickTask(request), body.episode_id, self);
            episodeId = episode.id;
            return send("observation", result);
          }
          if (type === "mcp") {
            const rpc = jsonRpcRequestSchema.safeParse(data);
            if (!rpc.success)
              return send("mcp", { jsonrpc: "2.0", id: null, error: { code: -32600, message: "data must be a JSON-RPC 2.0 request" } });
            const reply = await answerRpc(rpc.data, {
              episode: episodeId ? sessions.get(episodeId, self) : null,
              create: async (params) => {
                if (episodeId) return sessions.get(episodeId, self).id;
                const { episode } = await sessions.start(ctx.pickTask(params), undefined, self);
                episodeId = episode.id;
                return episode.id;
              },
              close: async (id) => {
                // Only this connection's own episode: another's is refused as unknown here.
                if (id !== episodeId) return false;
                await sessions.close(id);
                episodeId = null;
                return true;
              },
            });
            if (reply) send("mcp", reply);
            return;
          }
          if (type === "close") {
            if (episodeId) await sessions.endIfOwned(episodeId, self);
            episodeId = null;
            socket.close(1000, "closed");
            return;
          }
          if (!episodeId) throw new ProtocolError(409, "NO_EPISODE", "send a reset first");
          if (type === "state") return send("state", sessions.get(episodeId, self).state());
          const action = parseWith(actionShapeOf(data), data, "step");
          return send("observation", await sessions.get(episodeId, self).step(action));
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
          if (episodeId) await sessions.endIfOwned(episodeId, self);
          episodeId = null;
        });
      });
    });
  });
}
