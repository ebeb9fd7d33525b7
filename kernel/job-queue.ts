// The port through which `ctx.mapJobs` hands a stage's jobs to other machines. The kernel knows
// only this interface; an app picks the adapter (`worker/bullmq-queue.ts`: BullMQ on Redis).

/** Everything a job needs, so a worker needs no shared disk: it rebuilds the job from this. */
export interface JobData {
  stage: string;
  job: string;
  /** The item's key, and the ordinal of the stage's map it belongs to: with the seed they derive the item's random stream. */
  key: string;
  namespace: string;
  seed: number;
  options: unknown;
  /** The run's config (services: the model, sandbox limits); workers build their services from it. */
  config: Record<string, unknown>;
  payload: unknown;
}

export interface JobQueue {
  /** Run one job on some worker and resolve to its JSON result (or reject with why it failed, after its retries). */
  run(data: JobData, signal?: AbortSignal): Promise<unknown>;
}
