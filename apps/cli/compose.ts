// Assembling a pipeline for a command: config file, built-in stages and services, user plugins.
// This is where the app chooses its adapters: which services (the sandbox, the LLM with its
// providers) back the ports the stages use.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type EnvscaleConfig, findConfigFile, loadConfig } from "../../kernel/config.ts";
import { builtinPluginFiles, type LoadedPlugins, loadPlugins, userPluginFiles } from "../../kernel/discover.ts";
import type { ServicePlugin } from "../../kernel/stage.ts";
import sandboxService from "../../lib/sandbox-service/service.ts";
import { builtinLlmService } from "./llm-providers.ts";
import { builtinPluginsDir, packageRoot } from "./paths.ts";

/** The built-in services, before any user's service for the same port (which then takes its place). */
export const builtinServices: readonly ServicePlugin[] = [builtinLlmService as ServicePlugin, sandboxService as ServicePlugin];

/** The folders of envscale's own code whose contents version the built-in stages (every shared folder among them). */
export const SOURCE_FOLDERS = ["kernel", "sandbox", "lib", "plugins"];

export interface Composition extends LoadedPlugins {
  config: EnvscaleConfig;
  configFile: string | undefined;
  /** Files of built-in plugins, to tell them apart from users' in listings. */
  builtinFiles: Set<string>;
  /** A hash of each stage's code, for cache keys: editing a stage recomputes it without a version bump. */
  codeVersions: Record<string, string>;
}

/**
 * Built-in stages share one hash of all of envscale's own code (they import each other's
 * modules); a user stage is hashed by its file.
 */
function codeVersionsOf(loaded: LoadedPlugins, builtinFiles: Set<string>): Record<string, string> {
  const builtin = createHash("sha256");
  for (const folder of SOURCE_FOLDERS) {
    for (const file of readdirSync(join(packageRoot, folder), { recursive: true, encoding: "utf8" }).sort()) {
      if (!/\.(ts|mts|js|mjs)$/.test(file)) continue;
      builtin
        .update(`${folder}/${file}\0`)
        .update(readFileSync(join(packageRoot, folder, file)))
        .update("\0");
    }
  }
  const builtinHash = builtin.digest("hex");
  const versions: Record<string, string> = {};
  for (const [stage, file] of loaded.origins) {
    versions[stage] = builtinFiles.has(file) ? builtinHash : createHash("sha256").update(readFileSync(file)).digest("hex");
  }
  return versions;
}

/** Load the config, then built-ins, then user plugins from config `plugins` and `--plugins` (in that order). */
export async function compose(options: { config?: string; plugins?: string[]; cwd?: string }): Promise<Composition> {
  const cwd = options.cwd ?? process.cwd();
  const configFile = findConfigFile(cwd, options.config);
  const config = await loadConfig(configFile);
  const builtins = builtinPluginFiles(builtinPluginsDir);
  const userDirs = [
    ...(config.plugins ?? []).map((dir) => resolve(configFile ? resolve(configFile, "..") : cwd, dir)),
    ...(options.plugins ?? []).map((dir) => resolve(cwd, dir)),
  ];
  const userFiles = userDirs.flatMap((dir) => userPluginFiles(dir));
  const loaded = await loadPlugins([...builtins, ...userFiles]);
  const builtinFiles = new Set(builtins);
  const composed = { ...loaded, services: [...builtinServices, ...loaded.services] };
  return { ...composed, config, configFile, builtinFiles, codeVersions: codeVersionsOf(loaded, builtinFiles) };
}
