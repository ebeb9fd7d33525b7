// Which model errors fail only the item that asked: an unusable answer, or one request that failed
// while the endpoint answers others. Every other error (E_LLM: the endpoint keeps failing) stops the run.
import { EnvscaleError } from "../../kernel/errors.ts";

/** True for an error that fails only its item: the stage falls back or rejects it, and the run goes on. */
export function failsOnlyItsItem(error: unknown): error is EnvscaleError {
  return error instanceof EnvscaleError && (error.code === "E_LLM_ANSWER" || error.code === "E_LLM_REQUEST");
}
