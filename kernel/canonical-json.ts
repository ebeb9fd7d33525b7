// Canonical JSON (sorted keys, no insignificant whitespace) and the content hashes built on it.
//
// Every artifact file and every state hash goes through here, so that equal values always give
// equal bytes: the basis of caching, resume and byte-identical re-runs.
import { createHash } from "node:crypto";

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
/** A JSON object: what a database state, a record and a call's arguments are. */
export type JsonObject = { [key: string]: JsonValue };

/**
 * Serialise with object keys sorted by UTF-16 code units (as RFC 8785 does). Keys whose value is
 * `undefined` are skipped, like JSON.stringify; `-0` is written as `0`. Throws a TypeError on
 * values JSON cannot represent (NaN, Infinity, BigInt, functions, symbols, cycles).
 *
 * With `indent`, objects and arrays are spread over lines (for `.json` files people read).
 */
export function canonicalStringify(value: unknown, indent = 0): string {
  const parts: string[] = [];
  write(value, parts, indent > 0 ? " ".repeat(indent) : "", "", new Set());
  return parts.join("");
}

function write(value: unknown, out: string[], step: string, pad: string, seen: Set<object>): void {
  switch (typeof value) {
    case "string":
      out.push(JSON.stringify(value));
      return;
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`${value} is not representable in JSON`);
      out.push(Object.is(value, -0) ? "0" : String(value));
      return;
    case "boolean":
      out.push(value ? "true" : "false");
      return;
    case "object": {
      if (value === null) {
        out.push("null");
        return;
      }
      if (seen.has(value)) throw new TypeError("cyclic value is not representable in JSON");
      seen.add(value);
      const inner = step ? `${pad}${step}` : "";
      const open = step ? `\n${inner}` : "";
      const sep = step ? `,\n${inner}` : ",";
      const close = step ? `\n${pad}` : "";
      if (Array.isArray(value)) {
        if (value.length === 0) out.push("[]");
        else {
          out.push(`[${open}`);
          for (let i = 0; i < value.length; i++) {
            if (i > 0) out.push(sep);
            const item = value[i];
            if (item === undefined || typeof item === "function" || typeof item === "symbol") out.push("null");
            else write(item, out, step, inner, seen);
          }
          out.push(`${close}]`);
        }
      } else {
        const keys = Object.keys(value).sort();
        let first = true;
        for (const key of keys) {
          const item = (value as Record<string, unknown>)[key];
          if (item === undefined || typeof item === "function" || typeof item === "symbol") continue;
          out.push(first ? `{${open}` : sep);
          first = false;
          out.push(JSON.stringify(key), step ? ": " : ":");
          write(item, out, step, inner, seen);
        }
        out.push(first ? "{}" : `${close}}`);
      }
      seen.delete(value);
      return;
    }
    default:
      throw new TypeError(`${typeof value} is not representable in JSON`);
  }
}

export function sha256(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** SHA-256 of the canonical JSON of a value: equal values, equal hashes, whatever the key order. */
export function hashJson(value: unknown): string {
  return sha256(canonicalStringify(value));
}
