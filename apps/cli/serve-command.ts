// `envscale serve RUN_DIR [--port N]`: a finished run's tasks as OpenEnv environments (see
// server/app.ts for the routes). Runs until SIGINT or SIGTERM, then closes every episode.
// Off loopback it needs a bearer token: whoever reaches the port could otherwise open episodes,
// run tool code in the sandbox and use the simulated user's model.
import { isIP } from "node:net";
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
  maxVerifyCalls?: number;
  maxBodyMb?: number;
  /** Seconds. */
  requestTimeout?: number;
  exactMatch?: boolean;
  processes?: number;
  llm?: string;
  config?: string;
  /** Bearer token every request must carry (`--token`, or ENVSCALE_TOKEN). */
  token?: string;
}

/** Shortest token accepted: a guessable one protects nothing. */
const MIN_TOKEN_LENGTH = 16;

/** Whether `host` is a loopback address (the default 127.0.0.1, ::1, localhost): reachable from this machine only. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  if (bare === "localhost") return true;
  if (isIP(bare) === 4) return bare.startsWith("127.");
  if (isIP(bare) === 6) return bare === "::1" || /^::ffff:127\./.test(bare) || /^(0{1,4}:){7}0{0,3}1$/.test(bare);
  return false;
}

/** The token to require, or a usage error: none is allowed only on loopback, and a short one never. */
function tokenFor(flags: ServeFlags): string | undefined {
  const token = flags.token || undefined;
  if (token !== undefined && token.length < MIN_TOKEN_LENGTH)
    throw new EnvscaleError("E_USAGE", `--token must be at least ${MIN_TOKEN_LENGTH} characters (a long random one: openssl rand -hex 32)`);
  if (token === undefined && !isLoopback(flags.host))
    throw new EnvscaleError(
      "E_USAGE",
      `--host ${flags.host} is not a loopback address: anyone who reaches it could open episodes and run tools; give --token TOKEN (or ENVSCALE_TOKEN) and send it as Authorization: Bearer TOKEN`,
    );
  return token;
}

export async function serveCommand(runDir: string, flags: ServeFlags, io: CliIo): Promise<void> {
  const token = tokenFor(flags);
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
    ...(token ? { token } : {}),
    ...(flags.maxVerifyCalls ? { maxVerifyCalls: flags.maxVerifyCalls } : {}),
    ...(flags.maxBodyMb ? { maxBodyBytes: flags.maxBodyMb * 1024 * 1024 } : {}),
    ...(flags.requestTimeout ? { requestTimeoutMs: flags.requestTimeout * 1000 } : {}),
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
