// Finding plugins: built-ins in `plugins/<name>/index.ts`, user stages in `--plugins DIR` files.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { EnvscaleError } from "./errors.ts";
import type { AnyStage, ServicePlugin } from "./stage.ts";

export interface LoadedPlugins {
  stages: AnyStage[];
  services: ServicePlugin[];
  /** Which file each stage came from (for `envscale stages`). */
  origins: Map<string, string>;
}

const PLUGIN_FILE = /\.(ts|mts|js|mjs)$/;
const NOT_PLUGIN = /(\.d\.ts|\.test\.[mc]?[jt]s|\.spec\.[mc]?[jt]s)$/;

/** Every `index.ts` one level below `dir` (the built-in layout: one folder per stage or service). */
export function builtinPluginFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .map((name) => join(dir, name, "index.ts"))
    .filter((file) => existsSync(file));
}

/** Every plugin file directly inside a user's plugin folder, sorted by name. */
export function userPluginFiles(dir: string): string[] {
  const folder = resolve(dir);
  let names: string[];
  try {
    if (!statSync(folder).isDirectory()) throw new Error("not a directory");
    names = readdirSync(folder);
  } catch (error) {
    throw new EnvscaleError("E_PLUGIN_LOAD", `plugin folder ${folder} cannot be read: ${(error as Error).message}`, {
      details: { dir: folder },
    });
  }
  return names
    .filter((name) => PLUGIN_FILE.test(name) && !NOT_PLUGIN.test(name) && !name.startsWith("."))
    .sort()
    .map((name) => join(folder, name));
}

/** Import plugin files in order; each default export is a stage, a service, or an array of them. */
export async function loadPlugins(files: readonly string[]): Promise<LoadedPlugins> {
  const loaded: LoadedPlugins = { stages: [], services: [], origins: new Map() };
  for (const file of files) {
    let module: { default?: unknown };
    try {
      module = (await import(pathToFileURL(file).href)) as { default?: unknown };
    } catch (error) {
      throw new EnvscaleError("E_PLUGIN_LOAD", `plugin ${file} failed to load: ${(error as Error).message}`, {
        details: { file },
        cause: error,
      });
    }
    const exported = module.default;
    const entries = Array.isArray(exported) ? exported : [exported];
    if (exported === undefined || entries.length === 0) {
      throw new EnvscaleError("E_PLUGIN_INVALID", `plugin ${file} has no default export`, {
        details: { file },
        hint: "export default a stage object, a service plugin, or an array of them",
      });
    }
    entries.forEach((entry, index) => {
      const where = Array.isArray(exported) ? `${file} (default export [${index}])` : file;
      if (isServicePlugin(entry)) {
        loaded.services.push(entry);
        return;
      }
      const problem = stageShapeProblem(entry);
      if (problem) {
        throw new EnvscaleError("E_PLUGIN_INVALID", `plugin ${where} is not a valid stage: ${problem}`, {
          details: { file, index },
          hint: "a stage is { name, consumes: string[], produces: string[], run(ctx, inputs) }",
        });
      }
      loaded.stages.push(entry as AnyStage);
      loaded.origins.set((entry as AnyStage).name, file);
    });
  }
  return loaded;
}

function isServicePlugin(value: unknown): value is ServicePlugin {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { service?: unknown }).service === "string" &&
    typeof (value as { create?: unknown }).create === "function"
  );
}

/** What is wrong with a would-be stage, or null when it has the contract's shape. */
export function stageShapeProblem(value: unknown): string | null {
  if (typeof value !== "object" || value === null) return `the export is ${value === null ? "null" : typeof value}, not an object`;
  const stage = value as Record<string, unknown>;
  if (typeof stage.name !== "string" || !/^[a-z0-9][a-z0-9-]*$/.test(stage.name)) {
    return `"name" must be a kebab-case string (got ${JSON.stringify(stage.name)})`;
  }
  for (const field of ["consumes", "produces"] as const) {
    const list = stage[field];
    if (!Array.isArray(list) || !list.every((kind) => typeof kind === "string" && /^[a-z0-9][a-z0-9-]*$/.test(kind))) {
      return `"${field}" of stage "${stage.name}" must be an array of kebab-case artifact kinds`;
    }
  }
  if (typeof stage.run !== "function") return `stage "${stage.name}" has no run(ctx, inputs) function`;
  if (stage.replaces !== undefined && typeof stage.replaces !== "string") return `"replaces" of stage "${stage.name}" must be a stage name`;
  if (stage.version !== undefined && typeof stage.version !== "string") return `"version" of stage "${stage.name}" must be a string`;
  if (stage.options !== undefined && typeof (stage.options as { safeParse?: unknown }).safeParse !== "function") {
    return `"options" of stage "${stage.name}" must be a zod schema`;
  }
  return null;
}
