// The config file (`envscale.config.{ts,js,mjs,json}`): its schema, defineConfig, and loading it.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { extname, isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import { closest } from "./closest-match.ts";
import { EnvscaleError, formatPath } from "./errors.ts";

export const logLevels = ["fatal", "error", "warn", "info", "debug", "trace"] as const;

/** Every key envscale reads from a config file. Service sections are validated by their service. */
export const configSchema = z.strictObject({
  /** Catalog files, folders or globs for `ingest` (default: the bundled example catalog); a catalog
   * given as `{catalog, data, policy, rules}` is a service's domain pack: its data, policy and rules file go with it. */
  catalogs: z
    .array(
      z.union([
        z.string().min(1),
        z.strictObject({
          catalog: z.string().min(1),
          data: z.string().min(1).optional(),
          policy: z.string().min(1).optional(),
          /** A rules file correcting the service's derived rules (see README: Correcting a service). */
          rules: z.string().min(1).optional(),
        }),
      ]),
    )
    .optional(),
  /** Run directory (default: `generated/<first catalog name>-s<seed>`). */
  out: z.string().min(1).optional(),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .optional(),
  /** Folders of user stage plugins. */
  plugins: z.array(z.string().min(1)).optional(),
  /** Items in flight at once inside a stage (default: number of CPU cores). */
  concurrency: z.number().int().min(1).max(1024).optional(),
  /** Options per stage, by stage name: `stages: { "tool-graph": { threshold: 0.3 } }`. */
  stages: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  log: z.strictObject({ level: z.enum(logLevels).optional() }).optional(),
  /** The sandbox service (see sandbox/README.md). */
  sandbox: z.record(z.string(), z.unknown()).optional(),
  /** The LLM provider service (see README: LLM providers). */
  llm: z.record(z.string(), z.unknown()).optional(),
  /** Redis URL to spread work over `envscale worker` processes. */
  queue: z.string().optional(),
});

export type EnvscaleConfig = z.infer<typeof configSchema>;

/** Identity helper that only adds types: `export default defineConfig({ seed: 7 })`. */
export function defineConfig(config: EnvscaleConfig): EnvscaleConfig {
  return config;
}

export const configFileNames = ["envscale.config.ts", "envscale.config.mjs", "envscale.config.js", "envscale.config.json"];

/** The config file to use: the one given, else the first of `configFileNames` in `cwd`, else none. */
export function findConfigFile(cwd: string, explicit?: string): string | undefined {
  if (explicit) return isAbsolute(explicit) ? explicit : resolve(cwd, explicit);
  return configFileNames.map((name) => resolve(cwd, name)).find((path) => existsSync(path));
}

/** Load and validate a config file; `{}` when there is none. */
export async function loadConfig(file: string | undefined): Promise<EnvscaleConfig> {
  if (!file) return {};
  let raw: unknown;
  try {
    if (extname(file) === ".json") raw = JSON.parse(await readFile(file, "utf8"));
    else {
      const module = (await import(pathToFileURL(file).href)) as { default?: unknown };
      raw = module.default;
    }
  } catch (error) {
    throw new EnvscaleError("E_CONFIG_LOAD", `cannot load config ${file}: ${(error as Error).message}`, {
      details: { file },
      cause: error,
    });
  }
  return parseWithKnownKeys(configSchema, raw, `config ${file}`);
}

/**
 * Parse with a zod schema; an unknown key (anywhere, if its object is strict) is E_CONFIG_UNKNOWN_KEY
 * naming the closest known key, any other issue E_CONFIG_INVALID naming the path.
 */
export function parseWithKnownKeys<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    if (issue.code !== "unrecognized_keys") continue;
    const key = issue.keys[0] ?? "";
    const known = knownKeys(schema, issue.path);
    throw unknownKeyError(where, issue.path, key, known);
  }
  const issue = result.error.issues[0];
  throw new EnvscaleError("E_CONFIG_INVALID", `${where}: ${issue ? `${formatPath(issue.path)}: ${issue.message}` : "invalid"}`, {
    details: { issues: result.error.issues.slice(0, 10) },
  });
}

export function unknownKeyError(where: string, path: readonly PropertyKey[], key: string, known: readonly string[]): EnvscaleError {
  const suggestion = closest(key, known);
  const at = path.length > 0 ? ` in ${formatPath(path)}` : "";
  return new EnvscaleError("E_CONFIG_UNKNOWN_KEY", `${where}: unknown key "${key}"${at}`, {
    details: { key, path, known },
    hint: suggestion ? `did you mean "${suggestion}"?` : `known keys: ${known.join(", ")}`,
  });
}

/** Keys an object schema declares at `path` (through optional/default/nullable wrappers). */
export function knownKeys(schema: z.ZodType, path: readonly PropertyKey[] = []): string[] {
  let node: z.ZodType | undefined = unwrap(schema);
  for (const part of path) {
    if (node instanceof z.ZodObject) node = unwrap(node.shape[String(part)] as z.ZodType | undefined);
    else if (node instanceof z.ZodRecord) node = unwrap(node.valueType as z.ZodType);
    else node = undefined;
  }
  return node instanceof z.ZodObject ? Object.keys(node.shape) : [];
}

function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
  let node = schema;
  for (let depth = 0; node && depth < 8; depth++) {
    const inner = (node as { _zod?: { def?: { innerType?: z.ZodType } } })._zod?.def?.innerType;
    if (!inner) break;
    node = inner;
  }
  return node;
}
