// `envs/<domain>/environment.json`: what a verified environment offers, for everything downstream
// (tasks, rollouts, the server): its tools (verified ones only), their JSON Schemas and access,
// the module they run from, and the clock its sample state was made for.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { type DomainSchema, operationKinds, type ToolModel } from "../contracts/domain-schema.ts";
import type { JsonObject } from "../kernel/canonical-json.ts";
import { EnvscaleError } from "../kernel/errors.ts";
import type { CompiledModule, Sandbox, ToolDeclaration } from "../sandbox/index.ts";

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

/** What the sandbox is told about an environment's tools (names, schemas, access). */
export function declarationsOf(spec: EnvironmentSpec): ToolDeclaration[] {
  return spec.tools.map((t) => ({ name: t.name, description: t.description, parameters: t.parameters, access: t.access }));
}

/**
 * The environment's verified module, compiled for the sandbox (cached by content, so every stage
 * that asks for the same module pays once per process). A module that no longer compiles is a
 * corrupted run directory, not a tool failure.
 */
export async function compileEnvironment(sandbox: Sandbox, spec: EnvironmentSpec, source: string): Promise<CompiledModule> {
  const compiled = await sandbox.compile(source, { filename: `${spec.domain}/tools.ts`, tools: declarationsOf(spec) });
  if (!compiled.ok) {
    const first = compiled.findings.find((f) => f.severity === "error");
    throw new EnvscaleError(
      "E_ARTIFACT_INVALID",
      `the verified module of ${spec.domain} no longer compiles: ${first?.message ?? "unknown error"}`,
      {
        hint: "rerun from the verify stage (`envscale run --from verify`)",
      },
    );
  }
  return compiled.module;
}

/** A domain's compiled module, compiled (or loaded) once per domain however often it is asked for. */
export function moduleCache(load: (domain: string) => Promise<CompiledModule>): (domain: string) => Promise<CompiledModule> {
  const modules = new Map<string, Promise<CompiledModule>>();
  return (domain) => {
    let module = modules.get(domain);
    if (!module) {
      module = load(domain);
      modules.set(domain, module);
    }
    return module;
  };
}

/**
 * The tool models of an environment by tool name (the function name), as the environment runs
 * them: a read repaired into a generic list reads as a list.
 */
export function environmentModels(schema: DomainSchema, spec: EnvironmentSpec): Map<string, ToolModel> {
  const byCatalogName = new Map(schema.tools.map((m) => [m.tool, m]));
  const out = new Map<string, ToolModel>();
  for (const tool of spec.tools) {
    const model = byCatalogName.get(tool.catalogName);
    if (!model) continue;
    out.set(tool.name, tool.operation === model.operation ? model : { ...model, operation: tool.operation, table: tool.table });
  }
  return out;
}
