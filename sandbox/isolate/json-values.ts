// What counts as JSON inside the isolate, and how values become committed (validated, frozen, branded).
// In-isolate runtime code: one closure for the same reason as database.ts: its caches and the `behind` function must be unreachable from tool code.
import { isCommitted, markCommitted } from "./brands.ts";
import {
  ArrayProto,
  ErrorCtor,
  freeze,
  getOwnPropertyDescriptor,
  getPrototypeOf,
  isArray,
  isFrozen,
  type Json,
  jsonStringify,
  type Obj,
  ObjectProto,
  ownKeys,
  RealDate,
  reflectDelete,
  StringCtor,
  setPrototypeOf,
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
 */
export function createJsonValues(behind: (value: object) => unknown) {
  /** Characters a result may still take (results only; committed data is bounded by memory). */
  let budget = 0;
  /** Objects being walked, to find cycles (JSON data is shallow: a scan beats a Set). */
  const walking: object[] = [];

  /** A primitive checked as JSON (`-0` becomes `0`), strings counted against the budget. */
  const primitive = (value: unknown, up: Path, key: string | number | null): Json => {
    if (typeof value === "string") {
      budget -= value.length;
      if (budget < 0) throw new NotJson(at(up, key), "too large");
      return value;
    }
    if (typeof value === "number" && value - value === 0) return value === 0 ? 0 : value;
    return typeof value === "boolean" || value === null ? value : checkPrimitive(value, at(up, key));
  };

  /**
   * Validate `value` (found at `key` of `up`: a path is only built when an error needs it) as JSON
   * and make it committed data: every object frozen in place (an object the tool froze is copied
   * instead) and branded; keys whose value is undefined are dropped; our proxies become their data.
   */
  const walk = (value: unknown, up: Path, key: string | number | null): Json => {
    if (typeof value !== "object" || value === null) return primitive(value, up, key);
    if (isCommitted(value)) return value as Json;
    const data = behind(value);
    if (data !== undefined) return walk(data, up, key);
    const path = at(up, key);
    for (let i = 0; i < walking.length; i++) if (walking[i] === value) throw new NotJson(path, "a cycle is not JSON");
    if (walking.length >= 100) throw new NotJson(path, "nested more than 100 levels deep");
    const proto = getPrototypeOf(value);
    const array = isArray(value);
    if (array ? proto !== ArrayProto : proto !== ObjectProto && proto !== null)
      throw new NotJson(path, `${describeObject(value)} is not JSON`);
    walking.push(value);
    // Written back into unless the tool froze it: then a copy (only needed to commit or to swap a proxy).
    let target: Obj | null = isFrozen(value) ? null : (value as Obj);
    const keys = ownKeys(value);
    if (array) {
      const length = (value as unknown[]).length;
      if (keys.length !== length + 1) {
        for (const k of keys) {
          if (k === "length") continue;
          if (typeof k !== "string" || StringCtor(+k >>> 0) !== k || +k >= length) {
            throw new NotJson(path, `an array may only hold its elements (it has key ${typeof k === "symbol" ? "[symbol]" : k})`);
          }
        }
        throw new NotJson(path, "a hole in an array is not JSON");
      }
      for (let i = 0; i < length; i++) {
        const desc = getOwnPropertyDescriptor(value, i) as PropertyDescriptor;
        if (!("value" in desc)) throw new NotJson({ up: path, key: i }, "a getter is not JSON");
        const item = desc.value;
        const done = walk(item, path, i);
        if (mustPlace(value, target, done !== item)) target = place(value, target, i, done, array);
      }
    } else {
      if (proto === null && target !== null) setPrototypeOf(value, ObjectProto);
      for (let k = 0; k < keys.length; k++) {
        const name = keys[k] as PropertyKey;
        if (typeof name !== "string") throw new NotJson(path, "a symbol key is not JSON");
        if (name === "__proto__") throw new NotJson({ up: path, key: name }, 'the key "__proto__" is not allowed');
        const desc = getOwnPropertyDescriptor(value, name) as PropertyDescriptor;
        if (!("value" in desc)) throw new NotJson({ up: path, key: name }, "a getter or setter is not JSON");
        if (!desc.enumerable) throw new NotJson({ up: path, key: name }, "a non-enumerable property is not JSON");
        const item = desc.value;
        if (item === undefined) {
          if (target === value) reflectDelete(value, name);
          continue;
        }
        const done = walk(item, path, name);
        if (mustPlace(value, target, done !== item)) target = place(value, target, name, done, array);
      }
    }
    walking.pop();
    const out = (target ?? value) as Obj;
    freeze(out);
    markCommitted(out);
    return out as Json;
  };
  const at = (up: Path, key: string | number | null): Path => (key === null ? up : { up, key });

  /** Whether a walked value must be written: in place when it changed; always into a copy (a frozen source gets one at its first key). */
  const mustPlace = (source: object, target: Obj | null, changed: boolean): boolean => target === null || target !== source || changed;

  /** Put `done` at `key`, first copying a frozen source (`target` null) with the keys walked before it. */
  const place = (source: object, target: Obj | null, key: string | number, done: Json, array: boolean): Obj => {
    let out = target;
    if (out === null) {
      out = (array ? [] : {}) as Obj;
      const stop = StringCtor(key);
      for (const k of ownKeys(source)) {
        if (k === stop) break;
        if (k !== "length") out[k as string] = (source as Obj)[k];
      }
    }
    out[key] = done;
    return out;
  };

  /** JSON text of a result value, checking it as `walk` does (committed data is written natively). */
  const emit = (value: unknown, up: Path, key: string | number | null): string => {
    if (typeof value !== "object" || value === null) {
      const text = jsonStringify(primitive(value, up, key));
      budget -= text.length;
      if (budget < 0) throw new NotJson(at(up, key), "too large");
      return text;
    }
    if (isCommitted(value)) {
      const text = jsonStringify(value);
      budget -= text.length;
      if (budget < 0) throw new NotJson(at(up, key), "too large");
      return text;
    }
    const data = behind(value);
    if (data !== undefined) return emit(data, up, key);
    const path = at(up, key);
    for (let i = 0; i < walking.length; i++) if (walking[i] === value) throw new NotJson(path, "a cycle is not JSON");
    if (walking.length >= 100) throw new NotJson(path, "nested more than 100 levels deep");
    budget -= 2;
    if (budget < 0) throw new NotJson(path, "too large");
    const proto = getPrototypeOf(value);
    const array = isArray(value);
    if (array ? proto !== ArrayProto : proto !== ObjectProto && proto !== null)
      throw new NotJson(path, `${describeObject(value)} is not JSON`);
    // Every element takes at least one character and a comma: fail fast on hopeless arrays,
    // before listing their keys.
    if (array && (value as unknown[]).length * 2 > budget) throw new NotJson(path, "too large");
    walking.push(value);
    const keys = ownKeys(value);
    let out: string;
    if (array) {
      const length = (value as unknown[]).length;
      if (keys.length !== length + 1) throw new NotJson(path, "an array with holes or extra keys is not JSON");
      out = "[";
      for (let i = 0; i < length; i++) {
        const desc = getOwnPropertyDescriptor(value, i);
        if (!desc) throw new NotJson({ up: path, key: i }, "a hole in an array is not JSON");
        if (!("value" in desc)) throw new NotJson({ up: path, key: i }, "a getter is not JSON");
        out += (i > 0 ? "," : "") + emit(desc.value, path, i);
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
        budget -= name.length + 3;
        out += `${first ? "" : ","}${jsonStringify(name)}:${emit(desc.value, path, name)}`;
        first = false;
      }
      out += "}";
    }
    walking.pop();
    return out;
  };

  return {
    /** Validate and commit a value being stored in the database. */
    commit(value: unknown, path: Path): Json {
      budget = Number.MAX_SAFE_INTEGER;
      walking.length = 0;
      return walk(value, path, null);
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
      const text = emit(value, "result", null);
      if (text.length > maxLength) throw new NotJson("result", `${text.length} characters is more than the limit of ${maxLength}`);
      return text;
    },
  };
}

/** Freeze and brand a freshly parsed state (it is JSON by construction); refuse `__proto__` keys. */
export function commitParsed(value: unknown, path: string): void {
  if (typeof value !== "object" || value === null || isCommitted(value)) return;
  freeze(value);
  markCommitted(value);
  if (isArray(value)) for (let i = 0; i < value.length; i++) commitParsed(value[i], joinPath(path, i));
  else {
    for (const key in value as Obj) {
      // Copying such a record later (`out[key] = …`) would set a prototype: refuse it at the door.
      if (key === "__proto__") throw new NotJson(joinPath(path, key), 'the key "__proto__" is not allowed in a state');
      commitParsed((value as Obj)[key], joinPath(path, key));
    }
  }
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
