// The error codes a tool call can end with (part of the `envscale call` and Environment contract).

export const callErrorCatalog = {
  INVALID_ARGS: "The arguments fail the tool's JSON Schema (checked before entering the isolate).",
  UNKNOWN_TOOL: "The module declares no tool of that name.",
  TOOL_ERROR: "The tool threw: the message, what it threw (`thrown`, e.g. ToolError) and the line in the tool's own source.",
  TIMEOUT:
    "The call ran past its time limit; the state is as it was before the call. Also: the module's top-level code ran past it while loading.",
  MEMORY_LIMIT:
    "The call ran past its memory limit (or killed its sandbox process); the state is as it was before the call. Also: the module's top-level code did while loading.",
  INVALID_RESULT: "The result is not JSON (a function, a cycle, a BigInt, NaN, a getter, a Promise…) or is too large.",
  INVALID_STATE:
    "The tool left non-JSON data in the database (or a `__proto__` key, a getter, a hole…); the state is as it was before the call.",
  COMPILE_ERROR:
    "The module does not compile or breaks a static rule (a forbidden import, a missing tool…); findings name file:line:column.",
  INTERNAL: "The sandbox itself failed (a bug, or a sandbox process died for another reason); the state is as it was before the call.",
} as const;

export type CallErrorCode = keyof typeof callErrorCatalog;

/**
 * Whether a call ran past its time or memory limit: it never happened (the state is as before),
 * it cost its limit, and a replay would hit the limit again.
 */
export function hitLimit(outcome: { ok: boolean; error?: { code: string } } | undefined): boolean {
  return outcome !== undefined && !outcome.ok && (outcome.error?.code === "TIMEOUT" || outcome.error?.code === "MEMORY_LIMIT");
}

/**
 * Whether a call happened: it ran to an outcome that stands (a success or any refusal of the tool
 * or its arguments). A call that hit its time or memory limit, or was answered INTERNAL (the
 * sandbox failed around it, or its episode had ended), changed nothing and is never replayed.
 */
export function happened(outcome: { ok: boolean; error?: { code: string } } | undefined): boolean {
  return outcome !== undefined && (outcome.ok || (!hitLimit(outcome) && outcome.error?.code !== "INTERNAL"));
}

/** Codes a module can fail to load with: its top-level code ran too long, took too much memory, or threw. */
export type ModuleLoadCode = Extract<CallErrorCode, "TIMEOUT" | "MEMORY_LIMIT" | "TOOL_ERROR">;

/**
 * A module that cannot be loaded: its top-level code runs under the same limits as a call and
 * fails with the same codes. Opening an environment on it rejects with this error; nothing else
 * (its sandbox process, other environments there) is affected.
 */
export class ModuleLoadError extends Error {
  readonly code: ModuleLoadCode;
  constructor(code: ModuleLoadCode, message: string) {
    super(message);
    this.name = "ModuleLoadError";
    this.code = code;
  }
}
