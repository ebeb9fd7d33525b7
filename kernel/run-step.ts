// Running one step of a plan: its inputs read, its context built, its outputs validated and stored
// atomically, its manifest record kept up to date (running, done, failed), its item journal
// resumed or discarded.
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import { type ArtifactRegistry, validateArtifact, writeArtifact } from "./artifacts.ts";
import type { ItemCounters } from "./context.ts";
import { makeStageContext } from "./context.ts";
import { EnvscaleError, type ErrorCode, isEnvscaleError } from "./errors.ts";
import { ItemJournal } from "./item-journal.ts";
import type { JobQueue } from "./job-queue.ts";
import type { Manifest, StageRecord } from "./manifest.ts";
import { writeManifest } from "./manifest.ts";
import type { PlanStep } from "./plan.ts";
import type { ProgressFactory } from "./progress.ts";
import type { Rng } from "./rng.ts";
import { metricsDelta, type ServiceRegistry } from "./services.ts";

export interface StepEnvironment {
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

export async function runStep(step: PlanStep, env: StepEnvironment): Promise<StageOutcome> {
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
    // A failure outside the run's control (a model server down, a queue gone) loses nothing
    // finished: say what is kept, and that the same command resumes. When it says since when it
    // was failing (`details.failingSince`, ms since the epoch), the items finished since may have
    // fallen back because of it: they are not kept, and run again.
    const since = failure.details.failingSince;
    const forgotten = OUTSIDE.has(failure.code) && typeof since === "number" ? journal.forgetSince(since) : 0;
    const again = forgotten > 0 ? ` (${forgotten} item(s) that finished while it was failing will run again)` : "";
    const told = OUTSIDE.has(failure.code)
      ? new EnvscaleError(
          failure.code,
          `${failure.message}; stage "${name}" kept ${journal.size} finished item(s) and every earlier stage, re-run the same command to resume${again}`,
          { details: failure.details, ...(failure.hint ? { hint: failure.hint } : {}), cause: failure.cause ?? failure },
        )
      : failure;
    record.status = "failed";
    record.wall_ms = Math.round(performance.now() - started);
    record.error = { code: told.code, message: told.message };
    await writeManifest(env.runDir, env.manifest);
    env.logger.error({ code: told.code }, told.message);
    throw told;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Failures of what a run depends on, not of the run: the same command succeeds once they recover.
 * E_LLM_REQUEST fails only its item in the stages that handle it; one that lets it through stops here.
 */
const OUTSIDE = new Set<ErrorCode>(["E_LLM", "E_LLM_REQUEST", "E_QUEUE", "E_SANDBOX"]);

function removeOtherJournals(dir: string, keep: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) if (join(dir, name) !== keep) rmSync(join(dir, name), { force: true });
}

export function describe(stage: string, record: StageRecord | undefined, status: StageOutcome["status"]): StageOutcome {
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

export interface StageOutcome {
  stage: string;
  status: "ran" | "cached" | "not-run";
  wallMs: number;
  outputs: Record<string, { count: number; files: string[] }>;
  items?: ItemCounters;
  /** The stage's own summary lines (`Stage.summary`). */
  summary?: string[];
}
