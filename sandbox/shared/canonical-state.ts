// A state's canonical text, and the SHA-256 it is hashed by: what `state_hash` means.
//
// The sandbox defines its own state hash, so that the engine depends on no other layer and could
// be lifted out as one folder. The text is the kernel's canonical JSON without indentation (keys
// sorted by UTF-16 code units, as RFC 8785 does; `-0` written `0`), and a test holds the two
// equal, so a hash taken on either side of the boundary agrees. States reach this code already
// checked as plain JSON; a value JSON cannot represent is a TypeError.
import { createHash } from "node:crypto";
import { MAX_DEPTH, maxStateChars } from "./state-bounds.ts";
import { pathText, StateBoundsError } from "./state-checks.ts";

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

/**
 * A state's canonical text (the same text as `canonicalText`), held to the bounds of
 * state-bounds.ts for an isolate of `memoryMb` as it is written: deeper than MAX_DEPTH, larger than
 * maxStateChars, a number JSON cannot write, a `__proto__` key or a value that is not JSON throw a
 * StateBoundsError naming the place (`db.orders.o1`). The walk never goes past the depth bound, so
 * no state can overflow the stack here. Size is counted as the isolate counts it: a string by its
 * own length, not its escapes. (The host writes a state it sends with this; hashing, on states
 * already within the bounds, keeps to the plain walk above.)
 */
export function canonicalStateText(state: unknown, memoryMb: number): string {
  if (typeof state !== "object" || state === null || Array.isArray(state))
    throw new StateBoundsError("value", "db", "a state must be a JSON object");
  return new BoundedWriter(maxStateChars(memoryMb)).text(state);
}

class BoundedWriter {
  readonly #maxChars: number;
  readonly #parts: string[] = [];
  readonly #seen = new Set<object>();
  /** The keys from the root to the value being written (for messages). */
  readonly #keys: (string | number)[] = [];
  #chars = 0;

  constructor(maxChars: number) {
    this.#maxChars = maxChars;
  }

  text(value: unknown): string {
    this.#write(value);
    return this.#parts.join("");
  }

  /** Add `part`, `size` characters of the state as the isolate counts them. */
  #push(part: string, size = part.length): void {
    this.#parts.push(part);
    if ((this.#chars += size) > this.#maxChars) throw StateBoundsError.size(this.#maxChars);
  }

  #fail(bound: "number" | "key" | "value", what: string): never {
    const path = pathText(this.#keys);
    throw new StateBoundsError(bound, path, `the state holds ${what.replace("%s", path)}`);
  }

  #write(value: unknown): void {
    if (typeof value === "string") {
      // Refused before a huge string is escaped into another.
      if (this.#chars + value.length > this.#maxChars) throw StateBoundsError.size(this.#maxChars);
      this.#push(JSON.stringify(value), value.length + 2);
    } else if (typeof value === "number") {
      if (!Number.isFinite(value)) this.#fail("number", `${value} at %s, which JSON cannot write (a number such as 1e400 is too large)`);
      this.#push(Object.is(value, -0) ? "0" : String(value));
    } else if (typeof value === "boolean") this.#push(value ? "true" : "false");
    else if (value === null) this.#push("null");
    else if (typeof value === "object") this.#container(value);
    else this.#fail("value", `a ${typeof value} at %s, which is not JSON`);
  }

  #container(value: object): void {
    if (this.#seen.has(value)) this.#fail("value", "a cycle at %s, which is not JSON");
    if (this.#seen.size >= MAX_DEPTH) throw StateBoundsError.depth(pathText(this.#keys));
    this.#seen.add(value);
    const keys = this.#keys;
    if (Array.isArray(value)) {
      this.#push("[");
      value.forEach((item, i) => {
        if (i > 0) this.#push(",");
        keys.push(i);
        if (item === undefined || typeof item === "function" || typeof item === "symbol") this.#push("null");
        else this.#write(item);
        keys.pop();
      });
      this.#push("]");
    } else {
      this.#push("{");
      let first = true;
      for (const key of Object.keys(value).sort()) {
        const item = (value as Record<string, unknown>)[key];
        if (item === undefined || typeof item === "function" || typeof item === "symbol") continue;
        if (key === "__proto__") this.#fail("key", `the key "__proto__" at %s (it would set an object's prototype)`);
        keys.push(key);
        this.#push(first ? "" : ",");
        this.#push(JSON.stringify(key), key.length + 2);
        this.#push(":");
        first = false;
        this.#write(item);
        keys.pop();
      }
      this.#push("}");
    }
    this.#seen.delete(value);
  }
}

export function sha256(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}
