// Running the built-in pipeline (or a variant of it) in-process, and reading what it wrote.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { builtinLlmService as llm } from "../../cli/llm-providers.ts";
import type { JobQueue } from "../../kernel/job-queue.ts";
import { type RunResult, runPipeline } from "../../kernel/run.ts";
import type { AnyStage } from "../../kernel/stage.ts";
import codegen from "../../plugins/codegen/index.ts";
import dependencies from "../../plugins/dependencies/index.ts";
import domains from "../../plugins/domains/index.ts";
import exportStage from "../../plugins/export/index.ts";
import filter from "../../plugins/filter/index.ts";
import ingest from "../../plugins/ingest/index.ts";
import proposeTools from "../../plugins/propose-tools/index.ts";
import report from "../../plugins/report/index.ts";
import rollouts from "../../plugins/rollouts/index.ts";
import schema from "../../plugins/schema/index.ts";
import tasks from "../../plugins/tasks/index.ts";
import toolGraph from "../../plugins/tool-graph/index.ts";
import verify from "../../plugins/verify/index.ts";
import { sandboxService as sandbox } from "../../sandbox/index.ts";
import { tempDir } from "./helpers.ts";

export const builtInStages = [
  ingest,
  proposeTools,
  toolGraph,
  domains,
  schema,
  codegen,
  verify,
  dependencies,
  tasks,
  rollouts,
  filter,
  exportStage,
  report,
] as AnyStage[];

export interface PipelineRun extends RunResult {
  json<T = unknown>(path: string): T;
  text(path: string): string;
}

/** Run the stages (default: all built-ins, offline, one sandbox process) into a fresh folder. */
export async function runStages(
  options: { config?: Record<string, unknown>; stages?: AnyStage[]; runDir?: string; seed?: number; queue?: JobQueue } = {},
): Promise<PipelineRun> {
  const runDir = options.runDir ?? tempDir("envscale-pipeline-");
  const result = await runPipeline({
    stages: options.stages ?? builtInStages,
    services: [llm, sandbox],
    config: { sandbox: { processes: 1 }, ...options.config },
    runDir,
    seed: options.seed ?? 1,
    ...(options.queue ? { queue: options.queue } : {}),
  });
  return {
    ...result,
    json: <T>(path: string) => JSON.parse(readFileSync(join(runDir, path), "utf8")) as T,
    text: (path: string) => readFileSync(join(runDir, path), "utf8"),
  };
}
