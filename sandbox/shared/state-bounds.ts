// How deep and how large a state may be, whatever its history, and what breaking a bound says.
//
// A state crosses between processes as JSON text: the host writes it (canonical-state.ts, a walk
// that stops at these bounds, so no check recurses without limit) and a sandbox process scans the
// text a state comes back as before it sends it (`checkStateText`). Inside the isolate the commit
// holds the same bounds, so a state that could not cross is never built.

/** Levels of objects and arrays a state may nest, the state object itself being the first. */
export const MAX_STATE_DEPTH = 64;
/** Characters of a state's JSON text: 16 MiB (a state that large takes most of a default 64 MB isolate). */
export const MAX_STATE_CHARS = 16 * 1024 * 1024;

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
      `the state is nested more than ${MAX_STATE_DEPTH} levels deep at ${path} (a state may nest at most ${MAX_STATE_DEPTH} levels of objects and arrays)`,
      MAX_STATE_DEPTH,
    );
  }

  static size(): StateBoundsError {
    return new StateBoundsError(
      "size",
      "db",
      `the state is larger than the bound of ${MAX_STATE_CHARS / 1024 / 1024} MiB of JSON text (${MAX_STATE_CHARS.toLocaleString("en-US")} characters)`,
      MAX_STATE_CHARS,
    );
  }
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
 * Whether a state's JSON text keeps the bounds, read without parsing it (a scan of its brackets):
 * null when it does, else the bound it breaks. The path of a depth failure is found by the caller
 * (`canonicalStateText` of the parsed text names it).
 */
export function stateTextBound(text: string): "depth" | "size" | null {
  if (text.length > MAX_STATE_CHARS) return "size";
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > MAX_STATE_DEPTH) return "depth";
    } else if (c === 125 || c === 93) depth--;
  }
  return null;
}
