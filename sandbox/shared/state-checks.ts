// Holding a state to the bounds of state-bounds.ts where it crosses between processes: the error
// that names a broken bound, and a scan of a state's JSON text that reads neither deeper nor
// longer than the bounds. The host writes a state's text within the bounds (canonical-state.ts);
// a sandbox process scans a text before it loads or sends one.
import { MAX_DEPTH, maxStateChars } from "./state-bounds.ts";

/** Which bound a state broke: its depth, its size, a number JSON cannot write, a key or value it may not hold. */
export type StateBound = "depth" | "size" | "number" | "key" | "value";

/** A state that breaks a bound: `bound` says which, `path` where (`db.orders.o1`), `limit` the figure. */
export class StateBoundsError extends TypeError {
  readonly bound: StateBound;
  readonly path: string;
  readonly limit: number | undefined;

  constructor(bound: StateBound, path: string, message: string, limit?: number) {
    super(message);
    this.name = "StateBoundsError";
    this.bound = bound;
    this.path = path;
    this.limit = limit;
  }

  static depth(path: string): StateBoundsError {
    return new StateBoundsError(
      "depth",
      path,
      `the state is nested more than ${MAX_DEPTH} levels deep at ${path} (a state may nest at most ${MAX_DEPTH} levels of objects and arrays)`,
      MAX_DEPTH,
    );
  }

  static size(maxChars: number): StateBoundsError {
    return new StateBoundsError(
      "size",
      "db",
      `the state is larger than its bound of ${maxChars.toLocaleString("en-US")} characters of JSON (${sizeText(maxChars)}: a quarter of the isolate's memory limit)`,
      maxChars,
    );
  }
}

function sizeText(chars: number): string {
  const mib = chars / 1024 / 1024;
  return Number.isInteger(mib) ? `${mib} MiB` : `${Math.round(mib * 10) / 10} MiB`;
}

/** What a SandboxError says of a broken bound, in its details: which bound, where, the limit. */
export function boundsDetails(error: StateBoundsError): Record<string, unknown> {
  return { bound: error.bound, path: error.path, ...(error.limit !== undefined ? { limit: error.limit } : {}) };
}

/** A path for messages: `db.a.b[0]`, its middle left out past a dozen steps (a path 64 levels deep says little more). */
export function pathText(keys: readonly (string | number)[]): string {
  const step = (key: string | number) =>
    typeof key === "number" ? `[${key}]` : /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
  const shown = keys.length > 12 ? [...keys.slice(0, 8).map(step), "…", ...keys.slice(-3).map(step)] : keys.map(step);
  return `db${shown.join("")}`;
}

/**
 * Whether a state's JSON text keeps the bounds of an isolate of `memoryMb`, read without parsing it
 * (a scan of its brackets): null when it does, else the bound it breaks. Its size is counted as the
 * isolate counts it, a string by its own length (an escape is one character). The path of a
 * depth failure is found by the caller (`canonicalStateText` of the parsed text names it).
 */
export function stateTextBound(text: string, memoryMb: number): "depth" | "size" | null {
  const maxChars = maxStateChars(memoryMb);
  let chars = text.length;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) {
        // An escape: `\uXXXX` is one character of the string, as `\n` is.
        const width = text.charCodeAt(i + 1) === 117 ? 5 : 1;
        chars -= width;
        i += width;
      } else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > MAX_DEPTH) return "depth";
    } else if (c === 125 || c === 93) depth--;
  }
  return chars > maxChars ? "size" : null;
}
