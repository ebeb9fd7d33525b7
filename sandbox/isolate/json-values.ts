// What counts as JSON inside the isolate, and how values become committed (validated, frozen, branded).
// In-isolate runtime code: one closure for the same reason as database.ts: its caches and the `behind` function must be unreachable from tool code.
import { MAX_DEPTH } from "../shared/state-bounds.ts";
import { heightOf, isCommitted, markCommitted } from "./brands.ts";
import {
  ArrayProto,
  ErrorCtor,
  freeze,
  getOwnPropertyDescriptor,
  getPrototypeOf,
  isArray,
  type Json,
  jsonStringify,
  type Obj,
  ObjectProto,
  ownKeys,
  RealDate,
  StringCtor,
} from "./intrinsics.ts";

/** Where a value sits; the text is only built when an error needs it: `"db"` or `{up, key}`. */
export type Path = string | { up: Path; key: string | number };

const SIMPLE_KEY = /^[A-Za-z_$][\w$]*$/;
export const joinPath = (path: string, key: string | number) =>
  typeof key === "number" ? `${path}[${key}]` : SIMPLE_KEY.test(key) ? `${path}.${key}` : `${path}[${jsonStringify(key)}]`;
const pathText = (path: Path): string => (typeof path === "string" ? path : joinPath(pathText(path.up), path.key));

/** A value that is not JSON, and where it is. */
export class NotJson extends ErrorCtor {
  readonly path: string;
  constructor(path: Path, reason: string) {
    const text = pathText(path);
    super(`${text}: ${reason}`);
    this.path = text;
  }
}

const knownPrototypes = new Map<unknown, string>([
  [RealDate.prototype, "a Date (store date.toISOString())"],
  [Map.prototype, "a Map"],
  [Set.prototype, "a Set"],
  [WeakMap.prototype, "a WeakMap"],
  [WeakSet.prototype, "a WeakSet"],
  [RegExp.prototype, "a RegExp"],
  [Promise.prototype, "a Promise (tools must be synchronous)"],
  [ErrorCtor.prototype, "an Error"],
  [ArrayBuffer.prototype, "an ArrayBuffer"],
  [getPrototypeOf(Int8Array.prototype), "a typed array"],
  [Number.prototype, "a Number object"],
  [String.prototype, "a String object"],
  [Boolean.prototype, "a Boolean object"],
]);

function describeObject(value: object): string {
  const proto = getPrototypeOf(value);
  const known = knownPrototypes.get(proto) ?? (proto && knownPrototypes.get(getPrototypeOf(proto)));
  if (known) return known;
  const ctor = proto ? getOwnPropertyDescriptor(proto, "constructor")?.value : undefined;
  const name = typeof ctor === "function" ? getOwnPropertyDescriptor(ctor, "name")?.value : undefined;
  return typeof name === "string" && name ? `an instance of ${name}` : "an object with a custom prototype";
}

/** Check a primitive (anything but a non-null object); returns it normalised (`-0` → `0`). */
export function checkPrimitive(value: unknown, path: Path): Json {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (!Number.isFinite(value)) {
        throw new NotJson(path, `${value} is not a JSON number`);
      }
      return value === 0 ? 0 : value;
    case "undefined":
      throw new NotJson(path, "undefined is not JSON (use null)");
    case "bigint":
      throw new NotJson(path, "a BigInt is not JSON (use a number or a string)");
    case "symbol":
      throw new NotJson(path, "a symbol is not JSON");
    case "function":
      throw new NotJson(path, "a function is not JSON");
    default:
      if (value === null) return null;
      throw new NotJson(path, "not JSON");
  }
}

/**
 * Validation over values tool code produced. `behind(value)` gives the data one of our database
 * proxies stands for (or undefined for anything else), so proxies are never stored or returned.
 *
 * What tool code gives is read once, through property descriptors (no getter runs; a proxy's traps
 * run here, in the tool's own call, and never again), and what is kept is a copy: plain objects
 * and arrays of our own, frozen and marked committed with their height. So committed data never
 * answers for itself (no trap, no `toJSON`), and a value that answers differently each time it is
 * read is kept as it answered once. Depth counts levels of objects and arrays from the database
 * (level 1) or the result (level 1), whatever the history: data moved deeper is checked by the
 * height its mark holds.
 */
export function createJsonValues(behind: (value: object) => unknown) {
  /** Characters a result may still take. */
  let budget = 0;
  /** Objects being walked, to find cycles (depth is bounded: a scan beats a Set). */
  const walking: object[] = [];
  /** The height of the value `walk` last returned (0 for a primitive). */
  let height = 0;

  const tooDeep = (path: Path, what: string): NotJson =>
    new NotJson(path, `nested more than ${MAX_DEPTH} levels deep (${what} may nest at most ${MAX_DEPTH} levels of objects and arrays)`);

  /**
   * Validate `value` (found at `key` of `up`, at level `depth`: a path is only built when an error
   * needs it) as JSON and return its committed copy; keys whose value is undefined are dropped; our
   * proxies become their data (bound to this call: another call's refuse).
   */
  const walk = (value: unknown, up: Path, key: string | number | null, depth: number): Json => {
    if (typeof value !== "object" || value === null) {
      height = 0;
      return checkPrimitive(value, at(up, key));
    }
    if (isCommitted(value)) {
      height = heightOf(value);
      if (depth + height - 1 > MAX_DEPTH) throw tooDeep(at(up, key), "the state");
      return value as Json;
    }
    const data = behind(value);
    if (data !== undefined) return walk(data, up, key, depth);
    const path = at(up, key);
    for (let i = 0; i < walking.length; i++) if (walking[i] === value) throw new NotJson(path, "a cycle is not JSON");
    if (depth > MAX_DEPTH) throw tooDeep(path, "the state");
    const proto = getPrototypeOf(value);
    const array = isArray(value);
    if (array ? proto !== ArrayProto : proto !== ObjectProto && proto !== null)
      throw new NotJson(path, `${describeObject(value)} is not JSON`);
    walking.push(value);
    const keys = ownKeys(value);
    let tallest = 0;
    let out: Obj;
    if (array) {
      const length = arrayLength(value, path);
      checkArrayKeys(keys, length, path);
      const copy: Json[] = [];
      for (let i = 0; i < length; i++) {
        const desc = getOwnPropertyDescriptor(value, i);
        if (!desc) throw new NotJson({ up: path, key: i }, "a hole in an array is not JSON");
        if (!("value" in desc)) throw new NotJson({ up: path, key: i }, "a getter is not JSON");
        copy.push(walk(desc.value, path, i, depth + 1));
        if (height > tallest) tallest = height;
      }
      out = copy as unknown as Obj;
    } else {
      out = {};
      for (let k = 0; k < keys.length; k++) {
        const name = keys[k] as PropertyKey;
        if (typeof name !== "string") throw new NotJson(path, "a symbol key is not JSON");
        if (name === "__proto__") throw new NotJson({ up: path, key: name }, 'the key "__proto__" is not allowed');
        const desc = getOwnPropertyDescriptor(value, name);
        if (!desc) continue;
        if (!("value" in desc)) throw new NotJson({ up: path, key: name }, "a getter or setter is not JSON");
        if (!desc.enumerable) throw new NotJson({ up: path, key: name }, "a non-enumerable property is not JSON");
        if (desc.value === undefined) continue;
        out[name] = walk(desc.value, path, name, depth + 1);
        if (height > tallest) tallest = height;
      }
    }
    walking.pop();
    height = tallest + 1;
    freeze(out);
    return markCommitted(out, height) as Json;
  };
  const at = (up: Path, key: string | number | null): Path => (key === null ? up : { up, key });

  /** An array's length, read from its descriptor (no trap of a getter runs twice). */
  const arrayLength = (value: object, path: Path): number => {
    const desc = getOwnPropertyDescriptor(value, "length");
    const length = desc && "value" in desc ? desc.value : undefined;
    if (typeof length !== "number" || !(length >= 0) || length !== Math.floor(length) || length > 0xffffffff)
      throw new NotJson(path, "an array without a valid length is not JSON");
    return length;
  };
  /** An array holds its elements and `length`, nothing else. */
  const checkArrayKeys = (keys: PropertyKey[], length: number, path: Path) => {
    if (keys.length === length + 1) return;
    for (const k of keys) {
      if (k === "length") continue;
      if (typeof k !== "string" || StringCtor(+k >>> 0) !== k || +k >= length) {
        throw new NotJson(path, `an array may only hold its elements (it has key ${typeof k === "symbol" ? "[symbol]" : k})`);
      }
    }
    throw new NotJson(path, "a hole in an array is not JSON");
  };
  const spend = (chars: number, path: Path) => {
    budget -= chars;
    if (budget < 0) throw new NotJson(path, "too large");
  };

  /** JSON text of a result value (at level `depth`), checked as `walk` checks (committed data is written natively: it is ours). */
  const emit = (value: unknown, up: Path, key: string | number | null, depth: number): string => {
    if (typeof value !== "object" || value === null) {
      // Each character counted once: the text written, quotes and escapes included.
      const text = jsonStringify(checkPrimitive(value, at(up, key)));
      spend(text.length, at(up, key));
      return text;
    }
    if (isCommitted(value)) {
      if (depth + heightOf(value) - 1 > MAX_DEPTH) throw tooDeep(at(up, key), "a result");
      const text = jsonStringify(value);
      spend(text.length, at(up, key));
      return text;
    }
    const data = behind(value);
    if (data !== undefined) return emit(data, up, key, depth);
    const path = at(up, key);
    for (let i = 0; i < walking.length; i++) if (walking[i] === value) throw new NotJson(path, "a cycle is not JSON");
    if (depth > MAX_DEPTH) throw tooDeep(path, "a result");
    spend(2, path);
    const proto = getPrototypeOf(value);
    const array = isArray(value);
    if (array ? proto !== ArrayProto : proto !== ObjectProto && proto !== null)
      throw new NotJson(path, `${describeObject(value)} is not JSON`);
    // Every element takes at least one character and a comma: fail fast on hopeless arrays, before listing their keys.
    const length = array ? arrayLength(value, path) : 0;
    if (length * 2 > budget + 1) throw new NotJson(path, "too large");
    walking.push(value);
    const keys = ownKeys(value);
    let out: string;
    if (array) {
      checkArrayKeys(keys, length, path);
      out = "[";
      for (let i = 0; i < length; i++) {
        const desc = getOwnPropertyDescriptor(value, i);
        if (!desc) throw new NotJson({ up: path, key: i }, "a hole in an array is not JSON");
        if (!("value" in desc)) throw new NotJson({ up: path, key: i }, "a getter is not JSON");
        if (i > 0) spend(1, path);
        out += (i > 0 ? "," : "") + emit(desc.value, path, i, depth + 1);
      }
      out += "]";
    } else {
      out = "{";
      let first = true;
      for (let k = 0; k < keys.length; k++) {
        const name = keys[k] as PropertyKey;
        if (typeof name !== "string") throw new NotJson(path, "a symbol key is not JSON");
        if (name === "__proto__") throw new NotJson({ up: path, key: name }, 'the key "__proto__" is not allowed');
        const desc = getOwnPropertyDescriptor(value, name);
        if (!desc) continue;
        if (!("value" in desc)) throw new NotJson({ up: path, key: name }, "a getter or setter is not JSON");
        if (!desc.enumerable) throw new NotJson({ up: path, key: name }, "a non-enumerable property is not JSON");
        if (desc.value === undefined) continue;
        const label = jsonStringify(name);
        spend(label.length + (first ? 1 : 2), { up: path, key: name });
        out += `${first ? "" : ","}${label}:${emit(desc.value, path, name, depth + 1)}`;
        first = false;
      }
      out += "}";
    }
    walking.pop();
    return out;
  };

  return {
    /** Validate a value being stored in the database at level `depth` (a table 2, a record 3) and return its committed copy. */
    commit(value: unknown, path: Path, depth: number): Json {
      walking.length = 0;
      return walk(value, path, null, depth);
    },
    /**
     * Validate a result and serialise it in one pass, so the text is exactly what was checked (an
     * object that answers differently each time it is read, such as a proxy, cannot slip past).
     * Throws NotJson when invalid or longer than `maxLength`.
     */
    serialize(value: unknown, maxLength: number): string {
      if (value === undefined) return "null";
      budget = maxLength;
      walking.length = 0;
      const text = emit(value, "result", null, 1);
      if (text.length > maxLength) throw new NotJson("result", `${text.length} characters is more than the limit of ${maxLength}`);
      return text;
    },
  };
}

/** Freeze and mark a freshly parsed state (it is JSON by construction; the host kept it within the bounds); refuse `__proto__` keys. Returns its height. */
export function commitParsed(value: unknown, path: string): number {
  if (typeof value !== "object" || value === null) return 0;
  if (isCommitted(value)) return heightOf(value);
  let tallest = 0;
  if (isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const h = commitParsed(value[i], joinPath(path, i));
      if (h > tallest) tallest = h;
    }
  } else {
    for (const key in value as Obj) {
      // Copying such a record later (`out[key] = …`) would set a prototype: refuse it at the door.
      if (key === "__proto__") throw new NotJson(joinPath(path, key), 'the key "__proto__" is not allowed in a state');
      const h = commitParsed((value as Obj)[key], joinPath(path, key));
      if (h > tallest) tallest = h;
    }
  }
  freeze(value);
  markCommitted(value, tallest + 1);
  return tallest + 1;
}

/** Whether a copy we made (and the tool may have changed) still equals committed data. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (isArray(a)) {
    if (!isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (isArray(b) || getPrototypeOf(a) !== ObjectProto) return false;
  let count = 0;
  for (const key in a as Obj) {
    if (!Object.hasOwn(b, key) || !deepEqual((a as Obj)[key], (b as Obj)[key])) return false;
    count++;
  }
  for (const _ in b as Obj) count--;
  return count === 0;
}

/** A plain, mutable deep copy of committed data. */
export function thaw(value: Json): Json {
  if (typeof value !== "object" || value === null) return value;
  if (isArray(value)) {
    const out: Json[] = [];
    for (let i = 0; i < value.length; i++) out.push(thaw(value[i] as Json));
    return out;
  }
  const out: { [key: string]: Json } = {};
  for (const key in value) out[key] = thaw(value[key] as Json);
  return out;
}
