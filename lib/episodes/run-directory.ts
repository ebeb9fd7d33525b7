// A finished run's tasks and the environments they need, read back from its directory: what
// `envscale eval rollouts` and `envscale serve` work from.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { JsonObject } from "../../kernel/canonical-json.ts";
import { EnvscaleError } from "../../kernel/errors.ts";
import type { CompiledModule } from "../../sandbox/index.ts";
import { applyRules, domainRulesSchema } from "../contracts/domain-rules.ts";
import { type DomainSchema, domainSchemaSchema } from "../contracts/domain-schema.ts";
import { declarationsOf, type EnvironmentSpec, environmentSpecSchema } from "../contracts/environment-spec.ts";
import { type Task, taskSchema } from "../contracts/task.ts";
import { readTaskStates, type TaskStates } from "../task-states/index.ts";

export interface LoadedRun {
  runDir: string;
  tasks: Task[];
  environments: Record<string, EnvironmentSpec>;
  sources: Record<string, string>;
  schemas: Record<string, DomainSchema>;
  /** The base states the tasks name (`states/<hash>.json`). */
  states: TaskStates;
}

export async function loadRun(runDir: string): Promise<LoadedRun> {
  let text: string;
  try {
    text = await readFile(join(runDir, "tasks.jsonl"), "utf8");
  } catch (error) {
    throw new EnvscaleError("E_INPUT_UNREADABLE", `${runDir} has no tasks.jsonl: ${(error as Error).message}`, {
      hint: "give the directory of a finished `envscale run`",
    });
  }
  const tasks = text
    .split("\n")
    .filter((line) => line.trim())
    .map((line, i) => {
      try {
        return taskSchema.parse(JSON.parse(line));
      } catch (error) {
        throw new EnvscaleError("E_INPUT_UNREADABLE", `tasks.jsonl line ${i + 1} is not a task: ${(error as Error).message.slice(0, 300)}`);
      }
    });
  const run: LoadedRun = { runDir, tasks, environments: {}, sources: {}, schemas: {}, states: await readTaskStates(runDir, tasks) };
  for (const domain of [...new Set(tasks.map((t) => t.domain))].sort()) {
    const loaded = await loadEnvironment(runDir, domain);
    run.environments[domain] = loaded.spec;
    run.sources[domain] = loaded.source;
    try {
      const schema = domainSchemaSchema.parse(JSON.parse(await readFile(join(loaded.dir, "schema.json"), "utf8")));
      // A service's tools as its rules make them (rules.json exists only for domains built on a service's data).
      const rules = await readFile(join(loaded.dir, "rules.json"), "utf8").then(
        (text) => domainRulesSchema.parse(JSON.parse(text)),
        (error: NodeJS.ErrnoException) => {
          if (error.code === "ENOENT") return undefined;
          throw error;
        },
      );
      run.schemas[domain] = applyRules(schema, rules);
    } catch (error) {
      throw new EnvscaleError(
        "E_INPUT_UNREADABLE",
        `envs/${domain}/schema.json or rules.json cannot be read: ${(error as Error).message.slice(0, 300)}`,
      );
    }
  }
  return run;
}

/**
 * A domain's verified module as the run compiled it (`tools.bundle.js` and its map), so serving it
 * needs no esbuild or ts-morph pass; null when the run predates stored maps (compile instead).
 */
export async function storedModule(run: LoadedRun, domain: string): Promise<CompiledModule | null> {
  const spec = run.environments[domain];
  if (!spec) return null;
  const dir = join(run.runDir, "envs", domain);
  try {
    const [script, sourceMap] = await Promise.all([
      readFile(join(dir, spec.module.bundle), "utf8"),
      readFile(join(dir, `${spec.module.bundle}.map`), "utf8"),
    ]);
    return { hash: spec.module.hash, filename: `${domain}/tools.ts`, script, sourceMap, tools: declarationsOf(spec), findings: [] };
  } catch {
    return null;
  }
}

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
