// Where in the tool's own source a TOOL_ERROR was thrown: the bootstrap reports the module script's
// stack positions, which the module's source map turns into lines of tools.ts.
import { originalPositionFor, TraceMap } from "@jridgewell/trace-mapping";
import { type CallError, type CompiledModule, SCRIPT_PREFIX_LENGTH } from "../shared/tool-module.ts";

/**
 * How a TOOL_ERROR outcome's text begins, as the bootstrap writes it (isolate/bootstrap.ts,
 * `failure`): the tag outcomes are told apart by. A result's text begins `{"ok":true`, whatever
 * the result holds, so it can never be taken for an error's stack frames.
 */
export const TOOL_ERROR_TAG = '{"ok":false,"error":{"code":"TOOL_ERROR",';

export class SourceLines {
  readonly #module: CompiledModule;
  /** Parsed on the first error: most modules never throw. */
  #traceMap: TraceMap | null = null;

  constructor(module: CompiledModule) {
    this.#module = module;
  }

  /** An outcome's JSON text with its script frames replaced by the tool source's line and column. */
  locate(text: string): string {
    const outcome = JSON.parse(text) as { ok: false; error: CallError & { frames?: [number, number][] } };
    const frames = outcome.error.frames ?? [];
    delete outcome.error.frames;
    this.#traceMap ??= new TraceMap(this.#module.sourceMap);
    for (const [line, column] of frames) {
      const position = originalPositionFor(this.#traceMap, {
        line,
        column: Math.max(0, line === 1 ? column - 1 - SCRIPT_PREFIX_LENGTH : column - 1),
      });
      if (position.source?.endsWith(this.#module.filename) && position.line !== null) {
        outcome.error.line = position.line;
        outcome.error.column = position.column + 1;
        break;
      }
    }
    return JSON.stringify(outcome);
  }
}
