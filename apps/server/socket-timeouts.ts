// A WebSocket connection's clocks: a frame begun and not finished within `frameTimeoutMs` drops
// the connection (a client trickling or stalling a frame holds a socket and a buffer otherwise),
// and one that has sent and been sent nothing for `idleTimeoutMs` is closed with 1001.
import type { Socket } from "node:net";
import type { WebSocket } from "ws";

export interface SocketTimeouts {
  /** Longest a frame may take to arrive once begun. */
  frameTimeoutMs: number;
  /** Close a connection that has sent and been sent nothing for this long. */
  idleTimeoutMs: number;
}

/**
 * Drop a connection whose frame stalls half way, and close one that goes silent. A chunk of bytes
 * that leaves a frame unfinished starts the frame clock; a finished frame (message, ping, pong)
 * stops it. Whether a chunk left one unfinished is read off ws's receiver when it shows it (a
 * message and the start of the next can share a chunk); else a chunk that finished no frame counts.
 */
export function watchTimeouts(socket: WebSocket, raw: Socket, timeouts: SocketTimeouts): { active(): void } {
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
