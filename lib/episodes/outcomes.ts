// Reading call outcomes: refusals told from crashes (ScaleEnv's classes), an outcome in a line,
// and the key of the record a result names.

import type { CallOutcome } from "../../sandbox/index.ts";
import type { Row } from "../contracts/domain-state.ts";

export type Category = "success" | "anticipated" | "unexpected";

export function categorize(outcome: CallOutcome): Category {
  if (outcome.ok) return "success";
  const { code, thrown } = outcome.error;
  if (code === "INVALID_ARGS") return "anticipated";
  if (code === "TOOL_ERROR" && thrown === "ToolError") return "anticipated";
  return "unexpected";
}

export function describeOutcome(outcome: CallOutcome): string {
  if (outcome.ok) return `success: ${JSON.stringify(outcome.result).slice(0, 160)}`;
  const { code, message, thrown, line } = outcome.error;
  return `${code}${thrown && thrown !== "ToolError" ? ` (${thrown}${line ? ` at line ${line}` : ""})` : ""}: ${message.slice(0, 240)}`;
}

/** The key of the first record of `table` in a result: the record itself, a list, or `{ items: [...] }`. */
export function keyInResult(result: unknown, key: string): unknown {
  const records: unknown[] = Array.isArray(result)
    ? result
    : result && typeof result === "object"
      ? [result, ...Object.values(result).flatMap((v) => (Array.isArray(v) ? v : []))]
      : [];
  for (const record of records) {
    if (record && typeof record === "object" && key in record) {
      const value = (record as Row)[key];
      if (typeof value === "string" || typeof value === "number") return value;
    }
  }
  return undefined;
}
