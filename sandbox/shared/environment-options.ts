// Options of an environment and of an episode's reset: shared by the host, which passes them on,
// and the sandbox process, which applies them.

export interface EnvironmentOptions {
  /** Heap limit of the isolate, MB (default 64). V8 may overshoot it two- to three-fold. */
  memoryMb?: number;
  /** Time limit of each call, ms of wall-clock time in the sandbox process (default 1000). */
  timeoutMs?: number;
  /** Seed of Math.random inside the tools (default 0). */
  seed?: number;
  /** The task clock at the start of an episode: ISO 8601 or ms since 1970 (default 2025-01-01T09:00:00Z). */
  clock?: string | number;
  /** How far the task clock moves after each successful call, ms (default 1000). */
  clockStepMs?: number;
  /** Largest result, in characters of its JSON (default 1 MiB). */
  maxResultBytes?: number;
}

export interface ResetOptions {
  seed?: number;
  clock?: string | number;
}

export const DEFAULT_CLOCK = "2025-01-01T09:00:00.000Z";
/** Heap limit of an isolate when none is given, MB. */
export const DEFAULT_MEMORY_MB = 64;
