// `envscale worker`: takes jobs off the queue and runs them with the same stage code and the same
// random streams as the coordinator would have, so its results are the ones a single-process run
// computes. Services (sandbox, model) are built from the run's config carried by each job.
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Job, Worker } from "bullmq";
import type { Logger } from "pino";
import { canonicalStringify } from "../../kernel/canonical-json.ts";
import type { JobData } from "../../kernel/job-queue.ts";
import { Rng } from "../../kernel/rng.ts";
import { ServiceRegistry } from "../../kernel/services.ts";
import type { AnyStage, ServicePlugin } from "../../kernel/stage.ts";
import { connectRedis, QUEUE_NAME } from "./bullmq-queue.ts";

export interface WorkerOptions {
  url: string;
  stages: readonly AnyStage[];
  services: readonly ServicePlugin[];
  /** Jobs run at once. */
  concurrency: number;
  /** How long a job's lock lasts without renewal; a dead worker's job is handed on after about this long. */
  lockMs: number;
  logger: Logger;
  /** Called when a job starts and ends (the CLI prints it). */
  onEvent?: (event: { kind: "started" | "completed" | "failed"; job: string; detail?: string }) => void;
}

export interface RunningWorker {
  close(): Promise<void>;
}

/** The item's random stream: the derivation `mapItems` uses (run seed → stage → map ordinal and item key). */
export function itemRng(seed: number, stage: string, namespace: string, key: string): Rng {
  return Rng.forRun(seed).fork(`stage:${stage}`).fork(`${namespace}:${key}`);
}

export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const redis = await connectRedis(options.url);
  const stages = new Map(options.stages.map((s) => [s.name, s]));
  const abort = new AbortController();
  // One set of services per distinct config (runs with another model get their own).
  const registries = new Map<string, ServiceRegistry>();
  const servicesFor = (data: JobData) => {
    const id = canonicalStringify(data.config);
    let registry = registries.get(id);
    if (!registry) {
      registry = new ServiceRegistry(options.services, {
        config: data.config,
        logger: options.logger,
        runDir: join(tmpdir(), "envscale-worker"),
        seed: data.seed,
        signal: abort.signal,
      });
      registries.set(id, registry);
    }
    return registry;
  };

  const handle = async (job: Job<JobData>) => {
    const data = job.data;
    const name = `${data.stage}:${data.job} ${data.key}`;
    options.onEvent?.({ kind: "started", job: name });
    const stage = stages.get(data.stage);
    const handler = stage?.jobs?.[data.job];
    if (!handler) throw new Error(`this worker has no job ${data.job} of stage ${data.stage} (different plugins than the coordinator?)`);
    try {
      const result = await handler(
        {
          stage: data.stage,
          options: data.options,
          seed: data.seed,
          services: servicesFor(data),
          item: {
            key: data.key,
            rng: itemRng(data.seed, data.stage, data.namespace, data.key),
            signal: abort.signal,
            logger: options.logger.child({ job: name }),
          },
        },
        data.payload,
      );
      options.onEvent?.({ kind: "completed", job: name });
      // What travels back is JSON, as it would be journaled.
      return JSON.parse(JSON.stringify(result ?? null)) as unknown;
    } catch (error) {
      options.onEvent?.({ kind: "failed", job: name, detail: (error as Error).message });
      throw error;
    }
  };

  const worker = new Worker<JobData>(QUEUE_NAME, handle, {
    connection: redis,
    concurrency: options.concurrency,
    lockDuration: options.lockMs,
    stalledInterval: Math.max(500, Math.floor(options.lockMs / 2)),
    maxStalledCount: 3,
  });
  worker.on("error", (error) => options.logger.warn({ err: error }, "worker error"));
  await worker.waitUntilReady();
  return {
    async close() {
      abort.abort();
      await worker.close();
      await Promise.allSettled([...registries.values()].map((r) => r.closeAll()));
      redis.disconnect();
    },
  };
}
