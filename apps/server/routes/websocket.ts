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
import type { Socket } from "node:net";
import type { FastifyInstance } from "fastify";
import type { WebSocket } from "ws";
import type { ServerContext } from "../context.ts";
import { parseJsonBody } from "../json-body.ts";
import { answerRpc } from "../mcp-methods.ts";
import { messageText } from "../message-text.ts";
import { actionShapeOf, jsonRpcRequestSchema, resetRequestSchema } from "../protocol.ts";
import { ProtocolError } from "../protocol-error.ts";
import { parseWith } from "./validate.ts";

const TYPES = ["reset", "step", "state", "close", "mcp"];

export interface SocketTimeouts {
  /** Longest a frame may take to arrive once begun. */
  frameTimeoutMs: number;
  /** Close a connection that has sent and been sent nothing for this long. */
  idleTimeoutMs: number;
}

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

/**
 * Drop a connection whose frame stalls half way, and close one that goes silent. A chunk of bytes
 * that leaves a frame unfinished starts the frame clock; a finished frame (message, ping, pong)
 * stops it. Whether a chunk left one unfinished is read off ws's receiver when it shows it (a
 * message and the start of the next can share a chunk); else a chunk that finished no frame counts.
 */
function watchTimeouts(socket: WebSocket, raw: Socket, timeouts: SocketTimeouts): { active(): void } {
  let frameClock: NodeJS.Timeout | null = null;
  /** Whether a frame finished since the last chunk. */
  let finished = false;
  const stopFrameClock = () => {
    if (frameClock) clearTimeout(frameClock);
    frameClock = null;
  };
  const frameDone = () => {
    finished = true;
    stopFrameClock();
  };
  const idle = setTimeout(() => socket.close(1001, "idle"), timeouts.idleTimeoutMs);
  const active = () => idle.refresh();
  socket.on("message", frameDone);
  socket.on("ping", frameDone);
  socket.on("pong", frameDone);
  socket.on("message", active);
  // Added after ws's own listener: by now the chunk has been parsed.
  raw.on("data", () => {
    const unfinished = receiverHoldsPartialFrame(socket) ?? !finished;
    finished = false;
    if (!unfinished) stopFrameClock();
    else if (!frameClock) frameClock = setTimeout(() => socket.terminate(), timeouts.frameTimeoutMs);
  });
  socket.on("close", () => {
    stopFrameClock();
    clearTimeout(idle);
  });
  return { active };
}

/** Whether ws's receiver holds part of a frame or message (undefined when its internals are not as expected). */
function receiverHoldsPartialFrame(socket: WebSocket): boolean | undefined {
  const receiver = (socket as unknown as { _receiver?: { _bufferedBytes?: unknown; _fragments?: unknown; _state?: unknown } })._receiver;
  if (
    !receiver ||
    typeof receiver._bufferedBytes !== "number" ||
    !Array.isArray(receiver._fragments) ||
    typeof receiver._state !== "number"
  )
    return undefined;
  // _state 0 (GET_INFO) waits for a frame's first byte; any other is inside a frame.
  return receiver._bufferedBytes > 0 || receiver._fragments.length > 0 || receiver._state !== 0;
}
