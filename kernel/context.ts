// The context each stage runs with, and `mapItems`: resumable, bounded-concurrency work over items.
import type { Logger } from "pino";
import { EnvscaleError, isEnvscaleError } from "./errors.ts";
import type { ItemJournal } from "./item-journal.ts";
import type { JobQueue } from "./job-queue.ts";
import type { Rng } from "./rng.ts";
import type { ItemContext, JobHandler, MapItemsOptions, Progress, Services, StageContext } from "./stage.ts";

export interface ContextParts<O> {
  stage: string;
  options: O;
  seed: number;
  rng: Rng;
  logger: Logger;
  progress: Progress;
  signal: AbortSignal;
  concurrency: number;
  runDir: string;
  services: Services;
  journal: ItemJournal;
  /** The stage's jobs (`Stage.jobs`), for `mapJobs`. */
  jobs?: Record<string, JobHandler<O>> | undefined;
  /** With a queue, jobs run on `envscale worker`s; without one, here. */
  queue?: JobQueue | null;
  /** The run's config, which travels with every job (workers build their services from it). */
  config?: Record<string, unknown>;
}

/** Counters mapItems keeps for the manifest. */
export interface ItemCounters {
  total: number;
  resumed: number;
}

export function makeStageContext<O>(parts: ContextParts<O>, counters: ItemCounters): StageContext<O> {
  let mapCalls = 0;
  return {
    stage: parts.stage,
    options: parts.options,
    seed: parts.seed,
    rng: parts.rng,
    logger: parts.logger,
    progress: parts.progress,
    signal: parts.signal,
    concurrency: parts.concurrency,
    runDir: parts.runDir,
    services: parts.services,
    mapItems<T, R>(
      items: readonly T[],
      key: (item: T, index: number) => string,
      fn: (item: T, ctx: ItemContext) => R | Promise<R>,
      options: MapItemsOptions = {},
    ): Promise<R[]> {
      // Journal keys carry the call's ordinal, so two maps over the same keys do not collide.
      mapCalls += 1;
      return mapItems(parts, counters, `m${mapCalls}`, items, key, fn, options);
    },
    mapJobs<T, R>(
      job: string,
      items: readonly T[],
      key: (item: T, index: number) => string,
      payload: (item: T) => unknown,
      options: MapItemsOptions = {},
    ): Promise<R[]> {
      const handler = parts.jobs?.[job];
      if (!handler) throw new EnvscaleError("E_INTERNAL", `stage "${parts.stage}" has no job "${job}" (declare it in the stage's jobs)`);
      mapCalls += 1;
      const namespace = `m${mapCalls}`;
      const queue = parts.queue;
      // Payloads go through JSON here too, so a job computes the same whether it runs here or on a worker.
      const run = (item: T, itemContext: ItemContext): Promise<R> => {
        const data = JSON.parse(JSON.stringify(payload(item) ?? null)) as unknown;
        if (queue) {
          return queue.run(
            {
              stage: parts.stage,
              job,
              key: itemContext.key,
              namespace,
              seed: parts.seed,
              options: parts.options,
              config: parts.config ?? {},
              payload: data,
            },
            itemContext.signal,
          ) as Promise<R>;
        }
        return Promise.resolve(
          handler({ stage: parts.stage, options: parts.options, seed: parts.seed, services: parts.services, item: itemContext }, data),
        ).then((result) => JSON.parse(JSON.stringify(result ?? null)) as R);
      };
      // Remote jobs wait on workers, not on this process: let many be in flight.
      const width = queue ? { concurrency: Math.max(options.concurrency ?? parts.concurrency, 64) } : {};
      return mapItems(parts, counters, namespace, items, key, run, { ...options, ...width });
    },
  };
}

async function mapItems<O, T, R>(
  parts: ContextParts<O>,
  counters: ItemCounters,
  namespace: string,
  items: readonly T[],
  keyOf: (item: T, index: number) => string,
  fn: (item: T, ctx: ItemContext) => R | Promise<R>,
  options: MapItemsOptions,
): Promise<R[]> {
  const keys = items.map((item, index) => keyOf(item, index));
  const seen = new Set<string>();
  for (const key of keys) {
    if (seen.has(key)) throw new EnvscaleError("E_INTERNAL", `stage "${parts.stage}" gave two items the key "${key}"`);
    seen.add(key);
  }
  const results = new Array<R>(items.length);
  const pending: number[] = [];
  for (let i = 0; i < items.length; i++) {
    const entry = `${namespace}:${keys[i]}`;
    if (parts.journal.has(entry)) results[i] = parts.journal.get(entry) as R;
    else pending.push(i);
  }
  counters.total += items.length;
  counters.resumed += items.length - pending.length;
  parts.progress.start(items.length, options.label);
  parts.progress.tick(items.length - pending.length);

  // Failing one item stops the others: they see this signal, and no new item starts.
  const failure = new AbortController();
  const signal = AbortSignal.any([parts.signal, failure.signal]);
  let firstError: unknown = null;
  let next = 0;
  const width = Math.max(1, Math.min(options.concurrency ?? parts.concurrency, pending.length));

  const worker = async () => {
    while (next < pending.length && !signal.aborted) {
      const index = pending[next++] as number;
      const key = keys[index] as string;
      const itemContext: ItemContext = {
        key,
        rng: parts.rng.fork(`${namespace}:${key}`),
        signal,
        logger: parts.logger.child({ item: key }),
      };
      try {
        const value = await withItemTimeout(
          Promise.resolve().then(() => fn(items[index] as T, itemContext)),
          options.timeoutMs,
          parts.stage,
          key,
        );
        results[index] = parts.journal.append(`${namespace}:${key}`, value) as R;
        parts.progress.tick(1);
      } catch (error) {
        if (firstError === null) firstError = annotate(error, parts.stage, key);
        failure.abort();
      }
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  parts.progress.done();
  if (firstError !== null) throw firstError;
  if (parts.signal.aborted) throw new EnvscaleError("E_ABORTED", `stage "${parts.stage}" was interrupted; re-run to resume`);
  return results;
}

function annotate(error: unknown, stage: string, item: string): unknown {
  if (isEnvscaleError(error)) {
    if (error.details.item === undefined) error.details.item = item;
    return error;
  }
  const message = error instanceof Error ? error.message : String(error);
  return new EnvscaleError("E_STAGE_FAILED", `stage "${stage}" failed on item "${item}": ${message}`, {
    details: { stage, item },
    cause: error,
  });
}

async function withItemTimeout<R>(work: Promise<R>, timeoutMs: number | undefined, stage: string, item: string): Promise<R> {
  if (!timeoutMs) return work;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new EnvscaleError("E_STAGE_TIMEOUT", `stage "${stage}" item "${item}" ran past ${timeoutMs} ms`, { details: { stage, item } }),
        ),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
