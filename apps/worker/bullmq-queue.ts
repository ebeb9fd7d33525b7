// Spreading a run's jobs over machines with BullMQ on Redis: the coordinator's side.
//
// How results travel: a stage hands out jobs with `ctx.mapJobs`; each becomes a BullMQ job whose
// data is the stage's name, the job's name, its item key, the run seed, the stage's options, the
// run's config and the job's JSON payload (everything the job needs, so workers need no shared
// disk). A worker (`envscale worker`) runs the stage's own job handler on it and returns JSON,
// which BullMQ keeps in Redis as the job's return value; the coordinator collects it in item order,
// journals it, and the stage writes its artifacts in the run directory as it would have alone.
// A job's id is the hash of its data: the same work is the same job (a resumed run picks up
// finished results instead of redoing them). Jobs retry with exponential backoff; a worker that
// dies mid-job stops renewing its lock, and BullMQ's stalled-job check hands the job to another.
import { Job, Queue, QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import { canonicalStringify, sha256 } from "../../kernel/canonical-json.ts";
import { EnvscaleError } from "../../kernel/errors.ts";
import type { JobData, JobQueue } from "../../kernel/job-queue.ts";

export const QUEUE_NAME = "envscale-jobs";

export interface QueueTuning {
  /** Tries per job before it fails the stage. */
  attempts: number;
  /** First retry delay (doubles each time), ms. */
  backoffMs: number;
}

/** ioredis options from `redis://[user:password@]host:port[/db]`. */
export function redisOptions(url: string): { host: string; port: number; db?: number; username?: string; password?: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new EnvscaleError("E_USAGE", `--queue must be a redis:// URL, got "${url}"`);
  }
  if (parsed.protocol !== "redis:") throw new EnvscaleError("E_USAGE", `--queue must be a redis:// URL, got "${url}"`);
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : undefined;
  return {
    host: parsed.hostname || "127.0.0.1",
    port: parsed.port ? Number(parsed.port) : 6379,
    ...(db !== undefined && Number.isInteger(db) ? { db } : {}),
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
  };
}

/** A Redis connection for BullMQ, or E_QUEUE naming the address when nothing answers. */
export async function connectRedis(url: string): Promise<Redis> {
  const options = redisOptions(url);
  const redis = new Redis({ ...options, maxRetriesPerRequest: null, lazyConnect: true, connectTimeout: 3000, retryStrategy: () => null });
  // Connection errors surface through connect() below, and later through the commands that fail.
  redis.on("error", () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    throw new EnvscaleError("E_QUEUE", `cannot reach Redis at ${options.host}:${options.port}: ${(error as Error).message}`, {
      hint: "start redis-server, or check the --queue URL",
    });
  }
  // From here on, reconnect after a blip instead of failing.
  redis.options.retryStrategy = (times: number) => Math.min(times * 200, 2000);
  return redis;
}

/** The kernel's job queue port on BullMQ. */
export class BullMqJobQueue implements JobQueue {
  readonly url: string;
  readonly #redis: Redis;
  readonly #queue: Queue;
  readonly #events: QueueEvents;
  readonly #tuning: QueueTuning;

  private constructor(url: string, redis: Redis, queue: Queue, events: QueueEvents, tuning: QueueTuning) {
    this.url = url;
    this.#redis = redis;
    this.#queue = queue;
    this.#events = events;
    this.#tuning = tuning;
  }

  static async connect(url: string, tuning: QueueTuning = { attempts: 3, backoffMs: 1000 }): Promise<BullMqJobQueue> {
    const redis = await connectRedis(url);
    const queue = new Queue(QUEUE_NAME, { connection: redis });
    const events = new QueueEvents(QUEUE_NAME, { connection: redis.duplicate() });
    await events.waitUntilReady();
    return new BullMqJobQueue(url, redis, queue, events, tuning);
  }

  /** Run one job on some worker and resolve to its result (or reject with why it failed, after its retries). */
  async run(data: JobData, signal?: AbortSignal): Promise<unknown> {
    const jobId = sha256(canonicalStringify(data)).slice(0, 40);
    let job = await Job.fromId(this.#queue, jobId);
    if (job && (await job.getState()) === "failed") {
      await job.remove();
      job = undefined;
    }
    job ??= await this.#queue.add(`${data.stage}:${data.job}`, data, {
      jobId,
      attempts: this.#tuning.attempts,
      backoff: { type: "exponential", delay: this.#tuning.backoffMs },
      removeOnComplete: { age: 24 * 3600 },
      removeOnFail: { age: 24 * 3600 },
    });
    if ((await job.getState()) === "completed") return (await Job.fromId(this.#queue, jobId))?.returnvalue;
    const finished = job.waitUntilFinished(this.#events);
    if (!signal) return finished.catch((error: unknown) => this.#failed(data, error));
    return Promise.race([
      finished.catch((error: unknown) => this.#failed(data, error)),
      new Promise<never>((_, reject) => {
        const abort = () => reject(new EnvscaleError("E_ABORTED", `stopped waiting for job ${data.stage}:${data.key}`));
        if (signal.aborted) abort();
        else signal.addEventListener("abort", abort, { once: true });
      }),
    ]);
  }

  #failed(data: JobData, error: unknown): never {
    throw new EnvscaleError(
      "E_STAGE_FAILED",
      `job ${data.stage}:${data.job} for item "${data.key}" failed on its worker after ${this.#tuning.attempts} attempts: ${(error as Error).message}`,
      { details: { stage: data.stage, item: data.key } },
    );
  }

  /** Jobs waiting, running, and so on (for progress and tests). */
  counts(): Promise<Record<string, number>> {
    return this.#queue.getJobCounts("waiting", "active", "completed", "failed", "delayed");
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.#events.close(), this.#queue.close()]);
    this.#redis.disconnect();
  }
}
