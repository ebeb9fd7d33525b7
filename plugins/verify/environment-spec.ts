// `envs/<domain>/environment.json`: what a verified environment offers, for everything downstream
// (tasks, rollouts, the server): its tools (verified ones only), their JSON Schemas and access,
// the module they run from, and the clock its sample state was made for.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { EnvscaleError } from "../../kernel/errors.ts";
import type { JsonObject } from "../../sandbox/environment.ts";
import { operationKinds } from "../schema/domain-schema.ts";

export const environmentSpecSchema = z.object({
  domain: z.string(),
  /** The task clock sample states and tasks are made for. */
  clock: z.string(),
  module: z.object({
    /** Source, relative to the environment's folder. */
    source: z.literal("tools.ts"),
    /** The compiled script (isolated-vm), relative to the folder. */
    bundle: z.literal("tools.bundle.js"),
    /** Content hash of the compiled module. */
    hash: z.string(),
    /** Who wrote it: offline templates or a model. */
    writtenBy: z.enum(["templates", "model"]),
  }),
  tools: z
    .array(
      z.object({
        /** The function name, which is the tool's name in this environment. */
        name: z.string(),
        /** The name in the source catalog, when it differs. */
        catalogName: z.string(),
        description: z.string(),
        parameters: z.record(z.string(), z.json()),
        access: z.enum(["read", "write"]),
        operation: z.enum(operationKinds),
        table: z.string(),
      }),
    )
    .min(1),
  tables: z.array(z.string()),
});
export type EnvironmentSpec = z.infer<typeof environmentSpecSchema>;

/** A verified environment read back from a run directory. */
export interface LoadedEnvironment {
  spec: EnvironmentSpec;
  source: string;
  sampleState: JsonObject;
  dir: string;
}

export async function loadEnvironment(runDir: string, domain: string): Promise<LoadedEnvironment> {
  const dir = join(runDir, "envs", domain);
  try {
    const [specText, source, stateText] = await Promise.all([
      readFile(join(dir, "environment.json"), "utf8"),
      readFile(join(dir, "tools.ts"), "utf8"),
      readFile(join(dir, "sample-state.json"), "utf8"),
    ]);
    const spec = environmentSpecSchema.parse(JSON.parse(specText));
    return { spec, source, sampleState: JSON.parse(stateText) as JsonObject, dir };
  } catch (error) {
    throw new EnvscaleError("E_INPUT_UNREADABLE", `environment "${domain}" cannot be loaded from ${dir}: ${(error as Error).message}`, {
      hint: "run `envscale run` first; only domains with at least one verified tool have an environment.json",
    });
  }
}
