// A request the server cannot serve as asked: the HTTP status, a stable code, and what was wrong.
// Over HTTP it becomes `{"error": {"code", "message"}}`; over WebSocket an `error` message
// (OpenEnv's WSErrorCode names: VALIDATION_ERROR, UNKNOWN_TYPE, CAPACITY_REACHED…); over MCP a
// JSON-RPC error.
export class ProtocolError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}
