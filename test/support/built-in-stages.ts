// The built-in stages and services, as a run composes them: hook-free, so the global setup can use it too.
import { builtinLlmService as llm } from "../../apps/cli/llm-providers.ts";
import type { JobQueue } from "../../kernel/job-queue.ts";
import { type RunResult, runPipeline } from "../../kernel/run.ts";
import type { AnyStage } from "../../kernel/stage.ts";
import sandbox from "../../lib/sandbox-service/service.ts";
import codegen from "../../plugins/codegen/index.ts";
import dependencies from "../../plugins/dependencies/index.ts";
import domains from "../../plugins/domains/index.ts";
import exportStage from "../../plugins/export/index.ts";
import filter from "../../plugins/filter/index.ts";
import ingest from "../../plugins/ingest/index.ts";
import proposeTools from "../../plugins/propose-tools/index.ts";
import report from "../../plugins/report/index.ts";
import rollouts from "../../plugins/rollouts/index.ts";
import rulesStage from "../../plugins/rules/index.ts";
import schema from "../../plugins/schema/index.ts";
import tasks from "../../plugins/tasks/index.ts";
import toolGraph from "../../plugins/tool-graph/index.ts";
import verify from "../../plugins/verify/index.ts";

export const builtInStages = [
  ingest,
  proposeTools,
  toolGraph,
  domains,
  schema,
  rulesStage,
  codegen,
  verify,
  dependencies,
  tasks,
  rollouts,
  filter,
  exportStage,
  report,
] as AnyStage[];

/** Run the stages (default: all built-ins, offline, one sandbox process) into `runDir`. */
export function runInto(
  runDir: string,
  options: { config?: Record<string, unknown>; stages?: AnyStage[]; seed?: number; queue?: JobQueue } = {},
): Promise<RunResult> {
  return runPipeline({
    stages: options.stages ?? builtInStages,
    services: [llm, sandbox],
    config: { sandbox: { processes: 1 }, ...options.config },
    runDir,
    seed: options.seed ?? 1,
    ...(options.queue ? { queue: options.queue } : {}),
  });
}
