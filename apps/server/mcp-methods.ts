// MCP's JSON-RPC methods over an episode, shared by the Streamable HTTP endpoint (`/mcp`) and
// OpenEnv's WebSocket `mcp` messages: initialize (with version negotiation), ping, tools/list,
// tools/call, and OpenEnv's session methods (openenv/session/create, openenv/session/close).
// Failures are JSON-RPC errors, never HTTP errors: a tool the agent may not call, an episode that is
// done, parameters that do not fit.
import { type JsonRpcRequest, MAX_TOOL_NAME } from "./protocol.ts";
import { ProtocolError } from "./protocol-error.ts";
import type { ServedEpisode } from "./served-episode.ts";

/** Protocol versions this server speaks, newest first (the MCP specification's dated revisions). */
export const MCP_VERSIONS = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"] as const;

export const RPC = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  /** The request is well formed but cannot be served now (the episode is done, no session given). */
  SERVER_ERROR: -32000,
  /** No session of that id: it never existed, was closed, or timed out. */
  SESSION_NOT_FOUND: -32001,
} as const;

type RpcId = string | number | null;
export type RpcReply =
  | { jsonrpc: "2.0"; id: RpcId; result: unknown }
  | { jsonrpc: "2.0"; id: RpcId; error: { code: number; message: string; data?: unknown } };

export const rpcResult = (id: RpcId | undefined, result: unknown): RpcReply => ({ jsonrpc: "2.0", id: id ?? null, result });
export const rpcError = (id: RpcId | undefined, code: number, message: string, data?: unknown): RpcReply => ({
  jsonrpc: "2.0",
  id: id ?? null,
  error: { code, message, ...(data !== undefined ? { data } : {}) },
});

/** The version to answer `initialize` with: the client's when this server speaks it, else the newest. */
export function negotiateVersion(requested: unknown): string {
  return typeof requested === "string" && (MCP_VERSIONS as readonly string[]).includes(requested) ? requested : MCP_VERSIONS[0];
}

/** What `initialize` answers: the negotiated version, tools as the one capability, and the task. */
export function initializeResult(requested: unknown, episode: ServedEpisode): unknown {
  return {
    protocolVersion: negotiateVersion(requested),
    capabilities: { tools: { listChanged: false } },
    serverInfo: { name: "envscale", version: "1" },
    instructions: `Episode ${episode.id} of task ${episode.task.id}: ${episode.task.instruction}`,
  };
}

export interface RpcSession {
  /** The episode the request speaks of (null: none given, or none open). */
  episode: ServedEpisode | null;
  /** Start an episode for `openenv/session/create` (params: task_id, seed): the session id to give the client. */
  create(params: Record<string, unknown>): Promise<string>;
  /** End the session named by `openenv/session/close`; false when the caller has none of that id. */
  close(sessionId: string): Promise<boolean>;
}

/** Answer one JSON-RPC request (null for a notification, which gets no answer). */
export async function answerRpc(request: JsonRpcRequest, session: RpcSession): Promise<RpcReply | null> {
  const { id, method, params = {} } = request;
  if (id === undefined || method.startsWith("notifications/")) return null;
  try {
    switch (method) {
      case "ping":
        return rpcResult(id, {});
      case "openenv/session/create": {
        return rpcResult(id, { session_id: await session.create(params) });
      }
      case "openenv/session/close": {
        const target = params.session_id;
        if (typeof target !== "string" || !target) return rpcError(id, RPC.INVALID_PARAMS, "openenv/session/close needs params.session_id");
        if (!(await session.close(target))) return rpcError(id, RPC.INVALID_PARAMS, `Unknown session_id: ${target}`);
        return rpcResult(id, { session_id: target, closed: true });
      }
    }
    const episode = session.episode;
    if (!episode) return rpcError(id, RPC.SERVER_ERROR, "no episode: initialize a session (or reset) first");
    switch (method) {
      case "initialize":
        return rpcResult(id, initializeResult(params.protocolVersion, episode));
      case "tools/list":
        return rpcResult(id, { tools: episode.mcpTools() });
      case "tools/call": {
        const name = params.name;
        const args = params.arguments ?? {};
        if (typeof name !== "string" || !name || name.length > MAX_TOOL_NAME)
          return rpcError(id, RPC.INVALID_PARAMS, `tools/call needs params.name, a tool name of at most ${MAX_TOOL_NAME} characters`);
        if (typeof args !== "object" || args === null || Array.isArray(args))
          return rpcError(id, RPC.INVALID_PARAMS, "tools/call needs params.arguments to be an object");
        return rpcResult(id, await episode.callTool(name, args as Record<string, unknown>));
      }
      default:
        return rpcError(id, RPC.METHOD_NOT_FOUND, `method ${method} is not served (initialize, ping, tools/list, tools/call)`);
    }
  } catch (error) {
    if (error instanceof ProtocolError)
      return rpcError(id, error.status === 404 ? RPC.SESSION_NOT_FOUND : RPC.SERVER_ERROR, error.message, { code: error.code });
    return rpcError(id, RPC.INTERNAL_ERROR, (error as Error).message);
  }
}
