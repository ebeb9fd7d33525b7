// Running a plan: caching by content, resuming after a kill, validating and storing every artifact.

import { availableParallelism } from "node:os";
import type { Logger } from "pino";
import { ArtifactRegistry, artifactIsIntact, readArtifact } from "./artifacts.ts";
import { canonicalStringify, sha256 } from "./canonical-json.ts";
import type { EnvscaleConfig } from "./config.ts";
import { EnvscaleError, isEnvscaleError } from "./errors.ts";
import type { JobQueue } from "./job-queue.ts";
import { silentLogger } from "./log.ts";
import { type Manifest, readManifest, type StageRecord } from "./manifest.ts";
import { buildPlan, type Plan, unknownStage } from "./plan.ts";
import { type ProgressFactory, silentProgress } from "./progress.ts";
import { Rng } from "./rng.ts";
import { describe, runStep, type StageOutcome } from "./run-step.ts";
import { ServiceRegistry } from "./services.ts";
import type { AnyStage, ServicePlugin } from "./stage.ts";
import { resolveStageOptions } from "./stage-options.ts";

/** Bumped when the way artifacts are stored changes, so every cached stage is recomputed. */
export const STORAGE_VERSION = "1";
export const ENVSCALE_VERSION = "0.1.0";

export interface RunPipelineOptions {
  /** Stages in load order (built-ins, then user plugins); order only breaks ties. */
  stages: readonly AnyStage[];
  services?: readonly ServicePlugin[];
  config: EnvscaleConfig;
  runDir: string;
  seed: number;
  concurrency?: number;
  /** Run only this stage (recomputing it); its inputs must already be in the run directory. */
  only?: string;
  /** Recompute this stage and every stage after it. */
  from?: string;
  /** A hash of each stage's code (see cli/compose.ts); part of its cache key. */
  codeVersions?: Readonly<Record<string, string>>;
  logger?: Logger;
  progress?: ProgressFactory;
  signal?: AbortSignal;
  /** Hand stages' jobs (`ctx.mapJobs`) to `envscale worker`s through this queue. */
  queue?: JobQueue;
}

export interface RunResult {
  runDir: string;
  plan: Plan;
  manifest: Manifest;
  outcomes: StageOutcome[];
}

export async function runPipeline(options: RunPipelineOptions): Promise<RunResult> {
  const logger = options.logger ?? silentLogger();
  const progress = options.progress ?? silentProgress;
  const signal = options.signal ?? new AbortController().signal;
  const concurrency = options.concurrency ?? options.config.concurrency ?? availableParallelism();
  const stageOptions = resolveStageOptions(options.stages, options.config);
  const plan = buildPlan(options.stages, (stage) => stage.enabled?.(stageOptions.get(stage.name)) ?? true);
  const registry = ArtifactRegistry.fromStages(options.stages);
  const order = plan.steps.map((step) => step.stage.name);
  for (const [flag, name] of [
    ["--only", options.only],
    ["--from", options.from],
  ] as const) {
    if (name !== undefined && !order.includes(name)) throw unknownStage(name, order, `${flag} names`);
  }
  const fromIndex = options.from === undefined ? Number.POSITIVE_INFINITY : order.indexOf(options.from);

  const previous = await readManifest(options.runDir);
  const manifest: Manifest = {
    envscale: ENVSCALE_VERSION,
    seed: options.seed,
    order,
    stages: Object.fromEntries(
      Object.entries(previous?.seed === options.seed ? previous.stages : {}).filter(([name]) => order.includes(name)),
    ),
  };

  const services = new ServiceRegistry(options.services ?? [], {
    config: options.config as Record<string, unknown>,
    logger: logger.child({ service: true }),
    runDir: options.runDir,
    seed: options.seed,
    signal,
  });
  const values = new Map<string, Promise<unknown>>();
  const artifactValue = (stage: string, kind: string): Promise<unknown> => {
    const id = `${stage}\u0000${kind}`;
    let value = values.get(id);
    if (!value) {
      const stored = manifest.stages[stage]?.outputs[kind];
      if (!stored)
        return Promise.reject(
          new EnvscaleError("E_ARTIFACT_MISSING", `artifact "${kind}" of stage "${stage}" is not in ${options.runDir}`),
        );
      value = readArtifact(options.runDir, registry.get(kind), stored);
      values.set(id, value);
    }
    return value;
  };

  const outcomes: StageOutcome[] = [];
  const rootRng = Rng.forRun(options.seed);
  /** When each stage run by this process finished, for telling which ones ran while a service was failing. */
  const finishedAt = new Map<string, number>();
  try {
    for (const [index, step] of plan.steps.entries()) {
      const name = step.stage.name;
      if (options.only !== undefined && name !== options.only) {
        outcomes.push(describe(name, manifest.stages[name], "not-run"));
        continue;
      }
      const inputHashes: Record<string, string> = {};
      for (const [kind, source] of Object.entries(step.inputs)) {
        const record = manifest.stages[source];
        const hash = record?.status === "done" ? record.outputs[kind]?.hash : undefined;
        if (hash === undefined) {
          throw new EnvscaleError(
            "E_ARTIFACT_MISSING",
            `stage "${name}" needs "${kind}" from stage "${source}", which has not finished in ${options.runDir}`,
            { details: { stage: name, artifact: kind, source }, hint: "run the pipeline without --only first" },
          );
        }
        inputHashes[kind] = hash;
      }
      const opts = stageOptions.get(name);
      const fingerprint = step.stage.fingerprint ? await step.stage.fingerprint(opts) : null;
      const serviceKeys = Object.fromEntries((step.stage.uses ?? []).map((service) => [service, services.fingerprint(service as string)]));
      const version = step.stage.version ?? "0";
      const key = sha256(
        canonicalStringify({
          storage: STORAGE_VERSION,
          stage: name,
          version,
          options: opts ?? null,
          inputs: inputHashes,
          fingerprint,
          services: serviceKeys,
          code: options.codeVersions?.[name] ?? null,
          seed: options.seed,
        }),
      );
      const forced = options.only === name || index >= fromIndex;
      const record = manifest.stages[name];
      if (!forced && record?.status === "done" && record.key === key && (await outputsIntact(options.runDir, record))) {
        logger.debug({ stage: name }, "reusing cached outputs");
        outcomes.push(describe(name, record, "cached"));
        continue;
      }
      const running = runStep(step, {
        key,
        version,
        options: opts,
        inputHashes,
        manifest,
        registry,
        services,
        artifactValue,
        values,
        rng: rootRng.fork(`stage:${name}`),
        logger: logger.child({ stage: name }),
        progress,
        signal,
        concurrency,
        runDir: options.runDir,
        seed: options.seed,
        queue: options.queue ?? null,
        config: options.config as Record<string, unknown>,
      }).catch((error: unknown) => {
        throw namingEarlierStages(error, plan, finishedAt);
      });
      outcomes.push(await running);
      finishedAt.set(name, Date.now());
    }
  } finally {
    await services.closeAll();
  }
  return { runDir: options.runDir, plan, manifest, outcomes };
}

/**
 * A service that kept failing (`details.service`, `details.failingSince`) may have failed items of
 * stages that finished before it stopped the run; their journals are gone, so the error names
 * them and how to ask again.
 */
function namingEarlierStages(error: unknown, plan: Plan, finishedAt: ReadonlyMap<string, number>): unknown {
  if (!isEnvscaleError(error)) return error;
  const { service, failingSince } = error.details;
  if (typeof service !== "string" || typeof failingSince !== "number") return error;
  const earlier = plan.steps
    .filter((step) => (step.stage.uses as readonly string[] | undefined)?.includes(service))
    .map((step) => step.stage.name)
    .filter((name) => (finishedAt.get(name) ?? Number.NEGATIVE_INFINITY) >= failingSince);
  if (earlier.length === 0) return error;
  const also = `stage(s) ${earlier.map((name) => `"${name}"`).join(", ")} finished while the ${service} service was failing and may hold items that fell back: --from ${earlier[0]} asks again`;
  return new EnvscaleError(error.code, error.message, {
    details: { ...error.details, finishedWhileFailing: earlier },
    hint: error.hint ? `${error.hint}; ${also}` : also,
    cause: error.cause ?? error,
  });
}

async function outputsIntact(runDir: string, record: StageRecord): Promise<boolean> {
  for (const stored of Object.values(record.outputs)) if (!(await artifactIsIntact(runDir, stored))) return false;
  return true;
}
