// A state's canonical text, and the SHA-256 it is hashed by: what `state_hash` means.
//
// The sandbox defines its own state hash, so that the engine depends on no other layer and could
// be lifted out as one folder. The text is the kernel's canonical JSON without indentation (keys
// sorted by UTF-16 code units, as RFC 8785 does; `-0` written `0`), and a test holds the two
// equal, so a hash taken on either side of the boundary agrees. States reach this code already
// checked as plain JSON; a value JSON cannot represent is a TypeError.
import { createHash } from "node:crypto";

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
/** A JSON object: what a database state, a record and a call's arguments are. */
export type JsonObject = { [key: string]: JsonValue };

/** Compact canonical JSON: sorted keys, no whitespace, `undefined` members skipped as JSON.stringify does. */
export function canonicalText(value: unknown): string {
  const parts: string[] = [];
  write(value, parts, new Set());
  return parts.join("");
}

function write(value: unknown, out: string[], seen: Set<object>): void {
  if (typeof value === "string") out.push(JSON.stringify(value));
  else if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError(`${value} is not representable in JSON`);
    out.push(Object.is(value, -0) ? "0" : String(value));
  } else if (typeof value === "boolean") out.push(value ? "true" : "false");
  else if (value === null) out.push("null");
  else if (typeof value === "object") {
    if (seen.has(value)) throw new TypeError("cyclic value is not representable in JSON");
    seen.add(value);
    if (Array.isArray(value)) {
      out.push("[");
      value.forEach((item, i) => {
        if (i > 0) out.push(",");
        if (item === undefined || typeof item === "function" || typeof item === "symbol") out.push("null");
        else write(item, out, seen);
      });
      out.push("]");
    } else {
      out.push("{");
      let first = true;
      for (const key of Object.keys(value).sort()) {
        const item = (value as Record<string, unknown>)[key];
        if (item === undefined || typeof item === "function" || typeof item === "symbol") continue;
        out.push(first ? "" : ",", JSON.stringify(key), ":");
        first = false;
        write(item, out, seen);
      }
      out.push("}");
    }
    seen.delete(value);
  } else throw new TypeError(`${typeof value} is not representable in JSON`);
}

export function sha256(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}
