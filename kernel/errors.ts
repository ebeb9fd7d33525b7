// One error type for everything the kernel and its plugins report to users, with stable codes.
//
// Codes are part of the public contract: never rename one, only add. Every code is described in
// `errorCatalog` (and in docs/errors.md, which a test keeps in sync). Messages say what was wrong,
// where, and how to fix it; stack traces are for `--verbose` only.

/** What each code means. The class decides the CLI exit code: `usage` → 2, `runtime` → 1. */
export const errorCatalog = {
  E_USAGE: { class: "usage", summary: "The command line is malformed: unknown flag, missing or invalid value." },
  E_CONFIG_LOAD: { class: "usage", summary: "The config file could not be read or evaluated." },
  E_CONFIG_INVALID: { class: "usage", summary: "A config value has the wrong type or range." },
  E_CONFIG_UNKNOWN_KEY: {
    class: "usage",
    summary: "The config (or a stage's options) has a key nobody declares; the closest known key is suggested.",
  },
  E_OPTIONS_INVALID: { class: "usage", summary: "A stage's options fail the stage's own schema." },
  E_PLUGIN_LOAD: { class: "usage", summary: "A plugin file could not be imported." },
  E_PLUGIN_INVALID: { class: "usage", summary: "A plugin file's default export is not a stage, an array of stages, or a service." },
  E_STAGE_DUPLICATE_NAME: { class: "usage", summary: "Two stages have the same name." },
  E_STAGE_DUPLICATE_PRODUCER: {
    class: "usage",
    summary: "Two stages produce the same artifact kind and neither declares `replaces` for the other.",
  },
  E_STAGE_MISSING_PRODUCER: { class: "usage", summary: "A stage consumes an artifact kind that no stage produces." },
  E_STAGE_CYCLE: { class: "usage", summary: "Stages depend on each other in a cycle." },
  E_STAGE_UNKNOWN: { class: "usage", summary: "A stage named on the command line or in `replaces` does not exist." },
  E_ARTIFACT_CONFLICT: { class: "usage", summary: "Two stages declare the same artifact kind with different storage." },
  E_INPUT_UNREADABLE: { class: "usage", summary: "An input file (catalog, state, module, sketch) cannot be read or parsed." },
  E_RULES_FILE: {
    class: "usage",
    summary:
      "A rules file (`--rules`) has an entry that cannot be applied: an unknown tool or field, a rule that does not parse, a rule number the tool does not have.",
  },
  E_ARTIFACT_INVALID: { class: "runtime", summary: "A stage produced an artifact that fails the artifact kind's schema." },
  E_ARTIFACT_MISSING: {
    class: "runtime",
    summary: "A stage did not return an artifact it declares in `produces`, or a needed artifact is not on disk.",
  },
  E_STAGE_FAILED: { class: "runtime", summary: "A stage threw an error." },
  E_STAGE_TIMEOUT: { class: "runtime", summary: "A stage (or one item of it) ran past its time limit." },
  E_ABORTED: { class: "runtime", summary: "The run was interrupted (SIGINT/SIGTERM); finished work is kept and a re-run resumes." },
  E_SANDBOX: { class: "runtime", summary: "The sandbox service failed outside any single tool call (a process could not start)." },
  E_LLM: {
    class: "runtime",
    summary:
      "The LLM provider keeps failing: more than `llm.failureShare` of its last `llm.failureWindow` requests failed after all retries (network, HTTP status, timeout), or a cassette has no answer; the run stops and the same command resumes.",
  },
  E_LLM_ANSWER: {
    class: "runtime",
    summary:
      "The model server answered 200 with a malformed body (truncated, no choices, larger than `llm.maxResponseBytes`) after all retries; the item gets a repair round or falls back.",
  },
  E_LLM_REQUEST: {
    class: "runtime",
    summary:
      "One model request failed after all retries (HTTP status, dropped connection, timeout) while the endpoint answers most others; its item falls back or is rejected with the reason, and the run goes on.",
  },
  E_QUEUE: { class: "runtime", summary: "The job queue (Redis/BullMQ) failed or is unreachable." },
  E_INTERNAL: { class: "runtime", summary: "A bug in envscale itself; please report it with `--verbose` output." },
} as const satisfies Record<string, { class: "usage" | "runtime"; summary: string }>;

export type ErrorCode = keyof typeof errorCatalog;

export interface ErrorOptions {
  /** Machine-readable facts: the stage, the artifact, the file, the path… */
  details?: Record<string, unknown>;
  /** One sentence on how to fix it, printed after the message. */
  hint?: string;
  cause?: unknown;
}

export class EnvscaleError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "EnvscaleError";
    this.code = code;
    this.details = options.details ?? {};
    this.hint = options.hint;
  }

  /** The single line the CLI prints. */
  toLine(): string {
    return errorLine(this);
  }
}

/** The single line the CLI prints for any of our errors, whichever module made it. */
export function errorLine(error: EnvscaleError): string {
  return `${error.code}: ${error.message}${error.hint ? ` (${error.hint})` : ""}`;
}

/** Recognise our errors by code, not `instanceof`: they may cross module copies or processes. */
export function isEnvscaleError(value: unknown): value is EnvscaleError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { code?: unknown }).code === "string" &&
    (value as { code: string }).code in errorCatalog &&
    value instanceof Error
  );
}

/** Exit codes of the CLI (documented in the README). */
export const exitCodes = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

export function exitCodeFor(error: unknown): number {
  if (!isEnvscaleError(error)) return exitCodes.failure;
  if (error.code === "E_ABORTED") return exitCodes.interrupted;
  return errorCatalog[error.code].class === "usage" ? exitCodes.usage : exitCodes.failure;
}

/** Wrap anything thrown into an EnvscaleError, keeping ours as they are. */
export function toEnvscaleError(error: unknown, code: ErrorCode, context: string): EnvscaleError {
  if (isEnvscaleError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new EnvscaleError(code, `${context}: ${message}`, { cause: error });
}

/** Render a path into a JSON value the way users read it: `tools[3].parameters.properties.x`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (typeof part === "string" && /^[A-Za-z_$][\w$-]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out || "(root)";
}
