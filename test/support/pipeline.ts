// Running the built-in pipeline (or a variant of it) in-process, and reading what it wrote.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { JobQueue } from "../../kernel/job-queue.ts";
import type { RunResult } from "../../kernel/run.ts";
import type { AnyStage } from "../../kernel/stage.ts";
import { runInto } from "./built-in-stages.ts";
import { tempDir } from "./helpers.ts";

/** A finished run directory, to read from. */
export interface RunView {
  runDir: string;
  manifest: RunResult["manifest"];
  json<T = unknown>(path: string): T;
  text(path: string): string;
}

export interface PipelineRun extends RunResult, RunView {}

/** Read a finished run directory. */
export function viewRun(runDir: string): RunView {
  const text = (path: string) => readFileSync(join(runDir, path), "utf8");
  const json = <T>(path: string) => JSON.parse(text(path)) as T;
  return { runDir, manifest: json("manifest.json"), json, text };
}

/** Run the stages (default: all built-ins, offline, one sandbox process) into a fresh folder. */
export async function runStages(
  options: { config?: Record<string, unknown>; stages?: AnyStage[]; runDir?: string; seed?: number; queue?: JobQueue } = {},
): Promise<PipelineRun> {
  const runDir = options.runDir ?? tempDir("envscale-pipeline-");
  const result = await runInto(runDir, options);
  return { ...viewRun(runDir), ...result };
}
