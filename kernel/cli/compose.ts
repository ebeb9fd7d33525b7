// Assembling a pipeline for a command: config file, built-in plugins, user plugins.
import { resolve } from "node:path";
import { type EnvscaleConfig, findConfigFile, loadConfig } from "../config.ts";
import { builtinPluginFiles, type LoadedPlugins, loadPlugins, userPluginFiles } from "../discover.ts";
import { builtinPluginsDir } from "./paths.ts";

export interface Composition extends LoadedPlugins {
  config: EnvscaleConfig;
  configFile: string | undefined;
  /** Files of built-in plugins, to tell them apart from users' in listings. */
  builtinFiles: Set<string>;
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
  return { ...loaded, config, configFile, builtinFiles: new Set(builtins) };
}
