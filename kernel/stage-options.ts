// Stage options: each stage's section of config `stages`, validated against its zod schema with
// defaults applied; an unknown stage or option is an error naming the closest known one.
import type { z } from "zod";
import { closest } from "./closest-match.ts";
import type { EnvscaleConfig } from "./config.ts";
import { knownKeys, parseWithKnownKeys, unknownKeyError } from "./config.ts";
import { EnvscaleError, isEnvscaleError } from "./errors.ts";
import type { AnyStage } from "./stage.ts";

/** Validated options of every stage, from config `stages.<name>`; unknown stage names are errors. */
export function resolveStageOptions(stages: readonly AnyStage[], config: EnvscaleConfig): Map<string, unknown> {
  const names = stages.map((stage) => stage.name);
  for (const name of Object.keys(config.stages ?? {})) {
    if (!names.includes(name)) {
      const suggestion = closest(name, names);
      throw new EnvscaleError("E_CONFIG_UNKNOWN_KEY", `config stages: unknown stage "${name}"`, {
        details: { key: name, known: names },
        hint: suggestion ? `did you mean "${suggestion}"?` : `stages: ${names.join(", ")}`,
      });
    }
  }
  const resolved = new Map<string, unknown>();
  for (const stage of stages) {
    const raw = config.stages?.[stage.name] ?? {};
    const where = `options of stage "${stage.name}"`;
    if (!stage.options) {
      const [first] = Object.keys(raw);
      if (first !== undefined) throw unknownKeyError(where, [], first, []);
      resolved.set(stage.name, {});
      continue;
    }
    // Unknown keys are errors even when the stage's schema would silently strip them.
    const known = knownKeys(stage.options as z.ZodType);
    if (known.length > 0) {
      for (const key of Object.keys(raw)) if (!known.includes(key)) throw unknownKeyError(where, [], key, known);
    }
    try {
      resolved.set(stage.name, parseWithKnownKeys(stage.options as z.ZodType, raw, where));
    } catch (error) {
      if (isEnvscaleError(error) && error.code === "E_CONFIG_INVALID") {
        throw new EnvscaleError("E_OPTIONS_INVALID", error.message, { details: { stage: stage.name, ...error.details } });
      }
      throw error;
    }
  }
  return resolved;
}
