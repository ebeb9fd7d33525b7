// `envscale serve RUN_DIR [--port N]`: a finished run's tasks as OpenEnv environments (see
// server/app.ts for the routes). Runs until SIGINT or SIGTERM, then closes every episode.
import { resolve } from "node:path";
import { EnvscaleError } from "../../kernel/errors.ts";
import { compose } from "./compose.ts";
import type { CliIo } from "./io.ts";

export interface ServeFlags {
  port: number;
  host: string;
  maxSessions: number;
  idleTimeout: number;
  maxTurns: number;
  exactMatch?: boolean;
  processes?: number;
  llm?: string;
  config?: string;
}

export async function serveCommand(runDir: string, flags: ServeFlags, io: CliIo): Promise<void> {
  const [{ loadRun }, { buildServer }, { openLlm }, { Sandbox }] = await Promise.all([
    import("../../lib/episodes/run-directory.ts"),
    import("../server/app.ts"),
    import("./llm-providers.ts"),
    import("../../sandbox/host/sandbox.ts"),
  ]);
  const { config } = await compose(flags.config ? { config: flags.config } : {});
  const run = await loadRun(resolve(runDir));
  if (run.tasks.length === 0) throw new EnvscaleError("E_INPUT_UNREADABLE", `${runDir}/tasks.jsonl holds no task to serve`);
  const controller = new AbortController();
  const llm = await openLlm(config, flags.llm, { runDir: run.runDir, seed: config.seed ?? 1, signal: controller.signal });
  const sandbox = await Sandbox.start(flags.processes ? { processes: flags.processes } : {});
  const server = await buildServer({
    run,
    sandbox,
    llm,
    maxSessions: flags.maxSessions,
    idleTimeoutMs: flags.idleTimeout * 1000,
    maxTurns: flags.maxTurns,
    exactMatch: flags.exactMatch ?? false,
  });
  let address: string;
  try {
    address = await server.app.listen({ port: flags.port, host: flags.host });
  } catch (error) {
    await Promise.allSettled([server.close(), sandbox.close(), llm.close()]);
    throw new EnvscaleError("E_USAGE", `cannot listen on ${flags.host}:${flags.port}: ${(error as Error).message}`);
  }
  io.stdout.write(
    `envscale: serving ${run.tasks.length} tasks in ${Object.keys(run.environments).length} environments of ${run.runDir} on ${address} (WebSocket ${address.replace(/^http/, "ws")}/ws)\n`,
  );
  await new Promise<void>((done) => {
    const stop = () => done();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  controller.abort();
  await server.close();
  await Promise.allSettled([sandbox.close(), llm.close()]);
  io.stdout.write("envscale: server closed\n");
}
