// What a tool module is once compiled, and what a domain declares about its tools.
import { z } from "zod";
import type { CallErrorCode } from "./call-errors.ts";
import type { JsonValue } from "./canonical-state.ts";

/** A tool as its domain declares it. Without `parameters`, arguments are any object. */
export const toolDeclarationSchema = z.object({
  name: z.string().regex(/^[a-zA-Z_$][\w$]*$/, "a tool name must be a JavaScript identifier"),
  description: z.string().optional(),
  parameters: z.record(z.string(), z.json()).optional(),
  /** `read` tools get a frozen database and may not change it; `write` (the default) tools may. */
  access: z.enum(["read", "write"]).optional(),
});
export type ToolDeclaration = z.infer<typeof toolDeclarationSchema>;

/**
 * The script format of a compiled module: esbuild's IIFE inside a factory, `(function () {"use
 * strict"; … return __envscale_exports; })`. The wrapper's length shifts columns on line 1 only.
 */
export const SCRIPT_PREFIX = '(function () {"use strict";';
export const SCRIPT_EXPORTS = "__envscale_exports";
/** Column offset the factory wrapper adds to line 1 of the bundle (for mapping stack positions). */
export const SCRIPT_PREFIX_LENGTH = SCRIPT_PREFIX.length;

/** One result of the static checks. */
export interface Finding {
  severity: "error" | "warning";
  rule: string;
  message: string;
  file: string;
  line: number;
  column: number;
}

export interface CompiledModule {
  /** SHA-256 of everything that determines the script (source, declarations, runtime, compiler). */
  hash: string;
  filename: string;
  /** A script whose completion value is the module factory: `(function () { … })`. */
  script: string;
  /** Source map of `script` (version 3 JSON), to report lines of the tool's own source. */
  sourceMap: string;
  /** The tools, in the order their indices refer to. */
  tools: ToolDeclaration[];
  /** Warnings of the static checks (errors make compilation fail instead). */
  findings: Finding[];
}

export type CallError = {
  code: CallErrorCode;
  message: string;
  /** TOOL_ERROR: what was thrown (`ToolError` for a deliberate refusal made with `fail()`). */
  thrown?: string;
  /** TOOL_ERROR: where, in the tool module's own source. */
  line?: number;
  column?: number;
  /** INVALID_STATE / INVALID_RESULT: where in the value (`db.orders.o1.created`). */
  path?: string;
  /** COMPILE_ERROR: every finding. */
  findings?: Finding[];
};

export type CallOutcome = { ok: true; result: JsonValue; logs?: string[] } | { ok: false; error: CallError; logs?: string[] };

export interface ToolCall {
  tool: string;
  arguments: unknown;
}

/** A module that failed to compile, as an outcome (what `envscale call` prints). */
export function compileFailure(findings: Finding[]): CallOutcome {
  const errors = findings.filter((f) => f.severity === "error");
  const head = errors
    .slice(0, 3)
    .map((f) => `${f.file}:${f.line}:${f.column}: ${f.message}`)
    .join("; ");
  const more = errors.length > 3 ? ` (and ${errors.length - 3} more)` : "";
  return { ok: false, error: { code: "COMPILE_ERROR", message: `${head}${more}`, findings } };
}
