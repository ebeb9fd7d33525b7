// `envs/<domain>/environment.json`: what a verified environment offers, for everything downstream
// (tasks, rollouts, the server): its tools (verified ones only), their JSON Schemas and access,
// the module they run from, and the clock its sample state was made for.

import { EnvscaleError } from "../../kernel/errors.ts";
import type { CompiledModule, Sandbox } from "../../sandbox/index.ts";
import type { DomainSchema, ToolModel } from "../contracts/domain-schema.ts";
import type { EnvironmentSpec } from "../contracts/environment-spec.ts";
import { declarationsOf } from "../contracts/environment-spec.ts";

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
