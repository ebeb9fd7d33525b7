// Running a plan: caching by content, resuming after a kill, validating and storing every artifact.

import { readdirSync, rmSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import type { Logger } from "pino";
import type { z } from "zod";
import { ArtifactRegistry, artifactIsIntact, readArtifact, validateArtifact, writeArtifact } from "./artifacts.ts";
import { canonicalStringify, sha256 } from "./canonical-json.ts";
import { closest } from "./closest-match.ts";
import { type EnvscaleConfig, knownKeys, parseWithKnownKeys, unknownKeyError } from "./config.ts";
import { type ItemCounters, makeStageContext } from "./context.ts";
import { EnvscaleError, isEnvscaleError } from "./errors.ts";
import { ItemJournal } from "./item-journal.ts";
import type { JobQueue } from "./job-queue.ts";
import { silentLogger } from "./log.ts";
import { type Manifest, readManifest, type StageRecord, writeManifest } from "./manifest.ts";
import { buildPlan, type Plan, type PlanStep, unknownStage } from "./plan.ts";
import { type ProgressFactory, silentProgress } from "./progress.ts";
import { Rng } from "./rng.ts";
import { metricsDelta, ServiceRegistry } from "./services.ts";
import type { AnyStage, ServicePlugin } from "./stage.ts";

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

export interface StageOutcome {
  stage: string;
  status: "ran" | "cached" | "not-run";
  wallMs: number;
  outputs: Record<string, { count: number; files: string[] }>;
  items?: ItemCounters;
  /** The stage's own summary lines (`Stage.summary`). */
  summary?: string[];
}

export interface RunResult {
  runDir: string;
  plan: Plan;
  manifest: Manifest;
  outcomes: StageOutcome[];
}

/** Validated options of every stage, from config `stages.<name>`; unknown stage names are errors. */
export function resolveStageOptions(stages: readonly AnyStage[], config: EnvscaleConfig): Map<string, unknown> {
  const names = stages.map((stage) => stage.name);
  for (const name of Object.keys(config.stages ?? {})) {
    if (!names.includes(name)) {
      const suggestion = closest(name, names);
      throw new EnvscaleError("E_CONFIG_UNKNOWN_KEY", `config stages: unknown stage "${name}"`, {
        details: { key: name, known: names },
        hint: suggestion ? `did you mean "${suggestion}"?` : `stages: ${names.join(", ")}`,
      });
    }
  }
  const resolved = new Map<string, unknown>();
  for (const stage of stages) {
    const raw = config.stages?.[stage.name] ?? {};
    const where = `options of stage "${stage.name}"`;
    if (!stage.options) {
      const [first] = Object.keys(raw);
      if (first !== undefined) throw unknownKeyError(where, [], first, []);
      resolved.set(stage.name, {});
      continue;
    }
    // Unknown keys are errors even when the stage's schema would silently strip them.
    const known = knownKeys(stage.options as z.ZodType);
    if (known.length > 0) {
      for (const key of Object.keys(raw)) if (!known.includes(key)) throw unknownKeyError(where, [], key, known);
    }
    try {
      resolved.set(stage.name, parseWithKnownKeys(stage.options as z.ZodType, raw, where));
    } catch (error) {
      if (isEnvscaleError(error) && error.code === "E_CONFIG_INVALID") {
        throw new EnvscaleError("E_OPTIONS_INVALID", error.message, { details: { stage: stage.name, ...error.details } });
      }
      throw error;
    }
  }
  return resolved;
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
      outcomes.push(
        await runStep(step, {
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
        }),
      );
    }
  } finally {
    await services.closeAll();
  }
  return { runDir: options.runDir, plan, manifest, outcomes };
}

interface StepEnvironment {
  key: string;
  version: string;
  options: unknown;
  inputHashes: Record<string, string>;
  manifest: Manifest;
  registry: ArtifactRegistry;
  services: ServiceRegistry;
  artifactValue(stage: string, kind: string): Promise<unknown>;
  values: Map<string, Promise<unknown>>;
  rng: Rng;
  logger: Logger;
  progress: ProgressFactory;
  signal: AbortSignal;
  concurrency: number;
  runDir: string;
  seed: number;
  queue: JobQueue | null;
  config: Record<string, unknown>;
}

async function runStep(step: PlanStep, env: StepEnvironment): Promise<StageOutcome> {
  const stage = step.stage;
  const name = stage.name;
  const started = performance.now();
  const journalDir = join(env.runDir, ".work", name);
  const journalPath = join(journalDir, `${env.key.slice(0, 16)}.jsonl`);
  removeOtherJournals(journalDir, journalPath);
  const journal = ItemJournal.open(journalPath);
  const counters: ItemCounters = { total: 0, resumed: 0 };
  const record: StageRecord = {
    status: "running",
    version: env.version,
    options: env.options ?? {},
    key: env.key,
    inputs: env.inputHashes,
    outputs: {},
    wall_ms: 0,
  };
  env.manifest.stages[name] = record;
  await writeManifest(env.runDir, env.manifest);
  env.logger.info({ resumable: journal.size }, journal.size > 0 ? `resuming (${journal.size} items done)` : "started");

  const metricsBefore = await env.services.metrics();
  const stageAbort = new AbortController();
  const signal = AbortSignal.any([env.signal, stageAbort.signal]);
  let timer: NodeJS.Timeout | undefined;
  try {
    const inputs: Record<string, unknown> = {};
    for (const [kind, source] of Object.entries(step.inputs)) inputs[kind] = await env.artifactValue(source, kind);
    const context = makeStageContext(
      {
        stage: name,
        options: env.options,
        seed: env.seed,
        rng: env.rng,
        logger: env.logger,
        progress: env.progress.forStage(name),
        signal,
        concurrency: env.concurrency,
        runDir: env.runDir,
        services: env.services,
        journal,
        jobs: stage.jobs,
        queue: env.queue,
        config: env.config,
      },
      counters,
    );
    const running = Promise.resolve().then(() => stage.run(context, inputs as never));
    const outputs = (await (stage.timeoutMs
      ? Promise.race([
          running,
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
              stageAbort.abort();
              reject(
                new EnvscaleError("E_STAGE_TIMEOUT", `stage "${name}" ran past its limit of ${stage.timeoutMs} ms`, {
                  details: { stage: name },
                }),
              );
            }, stage.timeoutMs);
          }),
        ])
      : running)) as Record<string, unknown> | undefined;
    if (env.signal.aborted) throw new EnvscaleError("E_ABORTED", `stage "${name}" was interrupted; re-run to resume`);

    for (const kind of Object.keys(outputs ?? {})) {
      if (!stage.produces.includes(kind)) {
        throw new EnvscaleError("E_ARTIFACT_INVALID", `stage "${name}" returned "${kind}", which it does not declare in produces`, {
          details: { stage: name, artifact: kind },
        });
      }
    }
    for (const kind of stage.produces) {
      if (outputs === undefined || !(kind in outputs) || outputs[kind] === undefined) {
        throw new EnvscaleError("E_ARTIFACT_MISSING", `stage "${name}" did not return its "${kind}" artifact`, {
          details: { stage: name, artifact: kind },
        });
      }
    }
    const validated = new Map<string, unknown>();
    for (const kind of stage.produces) validated.set(kind, validateArtifact(env.registry.get(kind), outputs?.[kind], name));
    for (const kind of stage.produces) {
      const variant = step.outputs[kind] ?? null;
      const stored = await writeArtifact(env.runDir, env.registry.get(kind), validated.get(kind), variant);
      record.outputs[kind] = { ...stored, variant };
      env.values.set(`${name}\u0000${kind}`, Promise.resolve(validated.get(kind)));
    }
    if (stage.summary) {
      try {
        const lines = stage.summary(Object.fromEntries(validated));
        if (lines.length > 0) record.summary = lines.slice(0, 20);
      } catch (error) {
        env.logger.warn({ error: (error as Error).message }, "the stage's summary failed");
      }
    }
    record.status = "done";
    record.wall_ms = Math.round(performance.now() - started);
    if (counters.total > 0) record.items = { ...counters };
    const metrics = metricsDelta(metricsBefore, await env.services.metrics());
    if (Object.keys(metrics).length > 0) record.metrics = metrics;
    await writeManifest(env.runDir, env.manifest);
    journal.discard();
    env.logger.info({ wall_ms: record.wall_ms }, "finished");
    return describe(name, record, "ran");
  } catch (error) {
    journal.close();
    const failure = isEnvscaleError(error)
      ? error
      : new EnvscaleError("E_STAGE_FAILED", `stage "${name}" failed: ${error instanceof Error ? error.message : String(error)}`, {
          details: { stage: name },
          cause: error,
        });
    if (failure.details.stage === undefined) failure.details.stage = name;
    record.status = "failed";
    record.wall_ms = Math.round(performance.now() - started);
    record.error = { code: failure.code, message: failure.message };
    await writeManifest(env.runDir, env.manifest);
    env.logger.error({ code: failure.code }, failure.message);
    throw failure;
  } finally {
    clearTimeout(timer);
  }
}

async function outputsIntact(runDir: string, record: StageRecord): Promise<boolean> {
  for (const stored of Object.values(record.outputs)) if (!(await artifactIsIntact(runDir, stored))) return false;
  return true;
}

function removeOtherJournals(dir: string, keep: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) if (join(dir, name) !== keep) rmSync(join(dir, name), { force: true });
}

function describe(stage: string, record: StageRecord | undefined, status: StageOutcome["status"]): StageOutcome {
  const outputs: StageOutcome["outputs"] = {};
  for (const [kind, stored] of Object.entries(record?.outputs ?? {})) {
    outputs[kind] = { count: stored.count, files: stored.files.map((f) => f.path) };
  }
  return {
    stage,
    status,
    wallMs: record?.wall_ms ?? 0,
    outputs,
    ...(record?.items ? { items: record.items } : {}),
    ...(record?.summary ? { summary: record.summary } : {}),
  };
}
