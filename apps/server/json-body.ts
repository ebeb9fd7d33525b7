// Request bodies as JSON, with limits a hostile client cannot get around: nesting deeper than
// MAX_DEPTH is refused (validating or copying such a value recurses, and would exhaust the stack),
// and so are `__proto__` keys and `constructor.prototype` (prototype poisoning). The walk that
// checks them is iterative: it has no stack to exhaust.
import { ProtocolError } from "./protocol-error.ts";

/** Deepest nesting of objects and arrays a request may have. Tool arguments need far less. */
export const MAX_DEPTH = 64;

/** Parse a request's JSON text, or throw a ProtocolError (400) naming what is wrong. */
export function parseJsonBody(text: string, what = "the request"): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ProtocolError(400, "INVALID_JSON", `${what} is not JSON: ${(error as Error).message}`);
  }
  checkJsonValue(value, what);
  return value;
}

/** Throw a ProtocolError when a parsed value nests past MAX_DEPTH or holds a poisoning key. */
export function checkJsonValue(value: unknown, what = "the request"): void {
  // Two parallel stacks rather than one of {value, depth} pairs, and no entry for a leaf: a 4 MB
  // body is hundreds of thousands of nodes, and the walk runs on the event loop every session shares.
  const values: unknown[] = [value];
  const depths: number[] = [0];
  while (values.length > 0) {
    const node = values.pop();
    const depth = depths.pop() as number;
    if (node === null || typeof node !== "object") continue;
    if (depth >= MAX_DEPTH)
      throw new ProtocolError(400, "TOO_DEEP", `${what} nests objects or arrays deeper than ${MAX_DEPTH} levels, the server's limit`);
    if (Array.isArray(node)) {
      for (const item of node) {
        if (item === null || typeof item !== "object") continue;
        values.push(item);
        depths.push(depth + 1);
      }
      continue;
    }
    for (const key of Object.keys(node)) {
      const item = (node as Record<string, unknown>)[key];
      if (key === "__proto__" || (key === "constructor" && item !== null && typeof item === "object" && "prototype" in item))
        throw new ProtocolError(400, "FORBIDDEN_KEY", `${what} has a "${key}" key, which the server refuses (prototype poisoning)`);
      if (item === null || typeof item !== "object") continue;
      values.push(item);
      depths.push(depth + 1);
    }
  }
}
