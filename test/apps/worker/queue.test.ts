// Scale-out on BullMQ with a real Redis (127.0.0.1:6379): a run whose per-domain synthesis and
// rollout batches go to `envscale worker` processes, one of them killed in the middle of a job,
// ends with artifacts byte-identical to a single-process run with the same seed.
import { type ChildProcess, spawn } from "node:child_process";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BullMqJobQueue } from "../../../apps/worker/bullmq-queue.ts";
import { EnvscaleError } from "../../../kernel/errors.ts";
import { artifactDigest, artifactFiles, digestDifferences } from "../../support/artifacts.ts";
import { exampleCatalog } from "../../support/example.ts";
import { cliEntry, repoRoot } from "../../support/helpers.ts";
import { haveRedis } from "../../support/machine.ts";
import { runStages } from "../../support/pipeline.ts";

// A database of its own, emptied first: nothing else on this Redis is touched.
const url = "redis://127.0.0.1:6379/11";
const workers: ChildProcess[] = [];
// A real Redis: required under CI (.ci/run starts one), else skipped with a line saying so.
const redisHere = await haveRedis();

beforeAll(async () => {
  if (!redisHere) return;
  const redis = new Redis({ host: "127.0.0.1", port: 6379, db: 11, lazyConnect: true });
  await redis.connect();
  await redis.flushdb();
  redis.disconnect();
});

afterAll(() => {
  for (const worker of workers) worker.kill("SIGKILL");
});

function startWorker(): { process: ChildProcess; output: () => string; saw: (text: string) => Promise<void> } {
  const child = spawn(process.execPath, [cliEntry, "worker", "--queue", url, "--lock-ms", "1500", "--concurrency", "1"], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
  workers.push(child);
  let out = "";
  const waiters: { text: string; done: () => void }[] = [];
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString();
    for (const w of waiters.filter((w) => out.includes(w.text))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.done();
    }
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  return {
    process: child,
    output: () => out,
    saw: (text) => new Promise((done) => (out.includes(text) ? done() : waiters.push({ text, done }))),
  };
}

describe.runIf(redisHere)("scale-out on BullMQ", () => {
  it("a worker killed mid-job leaves its job to another, and the artifacts equal a single-process run's", async () => {
    const config = { stages: { ingest: { sources: [exampleCatalog] } } };
    const alone = await runStages({ config });

    const queue = await BullMqJobQueue.connect(url, { attempts: 3, backoffMs: 200 });
    const first = startWorker();
    const distributed = runStages({ config, queue });
    // Kill the first worker as soon as it holds a job, then bring up the one that finishes the run.
    await first.saw("started verify:domain");
    first.process.kill("SIGKILL");
    const killedJob = /started (verify:domain \S+)/.exec(first.output())?.[1] as string;
    expect(first.output()).not.toContain(`completed ${killedJob}`);
    const second = startWorker();
    const together = await distributed;
    await queue.close();

    // The killed job was handed to the second worker and finished there.
    expect(second.output()).toContain(`completed ${killedJob}`);
    expect(second.output()).toContain("completed rollouts:batch");
    const files = artifactFiles(alone.runDir);
    expect(files).toContain("tasks.jsonl");
    expect(files).toContain("sft/phase1/general.jsonl");
    expect(digestDifferences(artifactDigest(alone.runDir), artifactDigest(together.runDir))).toEqual([]);
  }, 120_000);

  it("names the address when Redis cannot be reached", async () => {
    const failure = await BullMqJobQueue.connect("redis://127.0.0.1:1/0").catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(EnvscaleError);
    expect((failure as EnvscaleError).code).toBe("E_QUEUE");
    expect((failure as EnvscaleError).message).toContain("127.0.0.1:1");
  });
});
