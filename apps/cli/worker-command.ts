// `envscale worker --queue redis://HOST:PORT`: run jobs that `envscale run --queue` hands out, on
// this machine, until SIGINT or SIGTERM. Start as many as you like, anywhere Redis is reachable.
import { pino } from "pino";
import { compose } from "./compose.ts";
import type { CliIo } from "./io.ts";

export interface WorkerFlags {
  queue: string;
  concurrency: number;
  lockMs: number;
  plugins?: string[];
  config?: string;
}

export async function workerCommand(flags: WorkerFlags, io: CliIo): Promise<void> {
  const composition = await compose({
    ...(flags.config ? { config: flags.config } : {}),
    ...(flags.plugins ? { plugins: flags.plugins } : {}),
  });
  const { startWorker } = await import("../worker/worker.ts");
  const worker = await startWorker({
    url: flags.queue,
    stages: composition.stages,
    services: composition.services,
    concurrency: flags.concurrency,
    lockMs: flags.lockMs,
    logger: pino({ level: "warn" }, pino.destination(2)),
    onEvent: (event) => io.stdout.write(`${event.kind} ${event.job}${event.detail ? `: ${event.detail}` : ""}\n`),
  });
  io.stdout.write(`envscale worker: taking jobs from ${flags.queue} (${flags.concurrency} at a time)\n`);
  await new Promise<void>((done) => {
    process.once("SIGINT", () => done());
    process.once("SIGTERM", () => done());
  });
  await worker.close();
  io.stdout.write("envscale worker: stopped\n");
}
