// Argument validation on this side of the boundary: each tool's JSON Schema compiled once per module
// (ajv), and its errors turned into one sentence an agent can act on.
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsPlugin from "ajv-formats";
import type { CompiledModule } from "../shared/tool-module.ts";

/** Argument validators by module hash (an explicitly named cache: same module, same validators). */
const validatorCache = new Map<string, (ValidateFunction | null)[]>();

let ajv: Ajv2020 | null = null;

export function validatorsFor(module: CompiledModule): (ValidateFunction | null)[] {
  let validators = validatorCache.get(module.hash);
  if (!validators) {
    if (!ajv) {
      ajv = new Ajv2020({ strict: false, allErrors: true, addUsedSchema: false, logger: false });
      (addFormatsPlugin as unknown as (instance: Ajv2020) => Ajv2020)(ajv);
    }
    const compiler = ajv;
    validators = module.tools.map((tool) => {
      if (!tool.parameters) return null;
      try {
        return compiler.compile(tool.parameters);
      } catch {
        return null;
      }
    });
    validatorCache.set(module.hash, validators);
  }
  return validators;
}

/** ajv's errors as one sentence an agent can act on: `amount must be number; missing argument "to"`. */
export function describeArgErrors(validate: ValidateFunction): string {
  const parts = (validate.errors ?? []).slice(0, 5).map((error) => {
    const where = error.instancePath ? error.instancePath.slice(1).replaceAll("/", ".") : "";
    if (error.keyword === "required")
      return `missing argument ${JSON.stringify((error.params as { missingProperty: string }).missingProperty)}${where ? ` in ${where}` : ""}`;
    if (error.keyword === "additionalProperties")
      return `unknown argument ${JSON.stringify((error.params as { additionalProperty: string }).additionalProperty)}${where ? ` in ${where}` : ""}`;
    if (error.keyword === "enum")
      return `${where || "arguments"} must be one of ${JSON.stringify((error.params as { allowedValues: unknown[] }).allowedValues)}`;
    return `${where || "arguments"} ${error.message ?? "is invalid"}`;
  });
  return `invalid arguments: ${parts.join("; ")}`;
}
