// `envs/<domain>/environment.json`: what a verified environment offers, for everything downstream
// (tasks, rollouts, the server): its tools (verified ones only), their JSON Schemas and access,
// the module they run from, and the clock its sample state was made for.
import { z } from "zod";
import type { ToolDeclaration } from "../../sandbox/index.ts";
import { operationKinds } from "./domain-schema.ts";

export const environmentSpecSchema = z.object({
  domain: z.string(),
  /** The task clock sample states and tasks are made for. */
  clock: z.string(),
  /** How far the clock moves after each call, ms, when not the sandbox's default (0: a service's fixed clock). */
  clockStepMs: z.number().int().min(0).optional(),
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

/** What the sandbox is told about an environment's tools (names, schemas, access). */
export function declarationsOf(spec: EnvironmentSpec): ToolDeclaration[] {
  return spec.tools.map((t) => ({ name: t.name, description: t.description, parameters: t.parameters, access: t.access }));
}
