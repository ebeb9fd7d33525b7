// A sandbox process: holds many environments (one isolate each) and answers the host's requests.
// V8 cannot survive every out-of-memory; when it does not, this process dies and the host
// (host/sandbox.ts) reports the call and rebuilds its environments elsewhere. Nothing here is shared
// with the host but messages.
import { ModuleLoadError } from "../shared/call-errors.ts";
import { COLLECTOR_GLOBAL } from "../shared/collector.ts";
import { DEFAULT_CLOCK } from "../shared/environment-options.ts";
import type { ProcessStats, Reply, Request } from "../shared/protocol.ts";
import type { CompiledModule, ToolCall } from "../shared/tool-module.ts";
import { Environment, sharedWatchdog } from "./environment.ts";

const modules = new Map<string, CompiledModule>();
const environments = new Map<number, Environment>();
/** Closed environments kept for reuse, by module hash: opening one then costs a reset, not an isolate. */
const idle = new Map<string, Environment[]>();
const IDLE_PER_MODULE = 8;
/**
 * Idle isolates kept in all, least recently closed module first out: a pipeline that verifies
 * hundreds of domains must not keep one isolate per module it has ever seen (~3 MB each) without
 * bound. The host sets the bound from the machine's memory (host/sandbox.ts).
 */
const IDLE_TOTAL = Math.max(1, Number(process.env.ENVSCALE_SANDBOX_IDLE) || 64);
let idleCount = 0;

function keepIdle(env: Environment): void {
  const pool = idle.get(env.module.hash) ?? [];
  if (pool.length >= IDLE_PER_MODULE) {
    env.close();
    return;
  }
  pool.push(env);
  // Re-inserting moves the module to the end: Map order is then least recently used first.
  idle.delete(env.module.hash);
  idle.set(env.module.hash, pool);
  idleCount += 1;
  for (const [hash, oldest] of idle) {
    if (idleCount <= IDLE_TOTAL) break;
    for (const old of oldest.splice(0)) {
      old.close();
      idleCount -= 1;
    }
    idle.delete(hash);
  }
}
let calls = 0;

/** This process's own collector (it starts with --expose-gc-as, see shared/collector.ts). */
function collectProcess(): void {
  const collector = (globalThis as Record<string, unknown>)[COLLECTOR_GLOBAL];
  if (typeof collector === "function") collector();
}

function need(id: number): Environment {
  const env = environments.get(id);
  if (!env) throw new Error(`no environment ${id} in this sandbox process`);
  return env;
}

function handle(request: Request): unknown {
  switch (request.op) {
    case "module":
      modules.set(request.module.hash, request.module);
      return null;
    case "open": {
      const module = modules.get(request.module);
      if (!module) throw new Error(`module ${request.module} was not sent to this sandbox process`);
      const pooled = idle.get(module.hash)?.pop();
      if (pooled) idleCount -= 1;
      let env: Environment;
      if (pooled && sameLimits(pooled, request.options)) {
        pooled.reset(request.state, { seed: request.options.seed ?? 0, clock: request.options.clock ?? DEFAULT_CLOCK });
        env = pooled;
      } else {
        pooled?.close();
        env = Environment.open(module, request.state, request.options);
      }
      limitsOf.set(env, request.options);
      environments.set(request.env, env);
      return null;
    }
    // Outcomes travel as JSON text: the isolate wrote it, the host parses it once.
    case "callMany": {
      const batch = JSON.parse(request.calls) as ToolCall[];
      calls += batch.length;
      return `[${need(request.env).callManyText(batch).join(",")}]`;
    }
    case "state":
      return need(request.env).state();
    case "hash":
      return need(request.env).stateHash();
    case "reset":
      need(request.env).reset(request.state, request.options ?? {});
      return null;
    case "episode": {
      const env = need(request.env);
      env.reset(request.state, request.options ?? {});
      const batch = JSON.parse(request.calls) as ToolCall[];
      calls += batch.length;
      const outcomes = `[${env.callManyText(batch).join(",")}]`;
      return { outcomes, stateHash: env.stateHash(), ...(request.export ? { state: env.state() } : {}) };
    }
    case "close": {
      const env = environments.get(request.env);
      environments.delete(request.env);
      if (env) keepIdle(env);
      return null;
    }
    case "stats": {
      const all = [...environments.values(), ...[...idle.values()].flat()];
      if (request.collect) {
        for (const env of all) env.collect();
        collectProcess();
      }
      let heapBytes = 0;
      let rebuilds = 0;
      let isolateBytes = 0;
      for (const env of all) {
        heapBytes += env.heapBytes();
        rebuilds += env.rebuilds;
        isolateBytes += env.memoryBytes();
      }
      const memory = process.memoryUsage();
      const stats: ProcessStats = {
        environments: environments.size,
        idle: idleCount,
        calls,
        rebuilds,
        heapBytes,
        isolateBytes,
        rssBytes: memory.rss,
        processHeapBytes: memory.heapUsed,
      };
      return stats;
    }
  }
}

/** The limits an environment was opened with: a pooled one is only reused with the same. */
const limitsOf = new WeakMap<Environment, { memoryMb?: number; timeoutMs?: number; clockStepMs?: number; maxResultBytes?: number }>();
function sameLimits(
  env: Environment,
  options: { memoryMb?: number; timeoutMs?: number; clockStepMs?: number; maxResultBytes?: number },
): boolean {
  const had = limitsOf.get(env) ?? {};
  return (
    had.memoryMb === options.memoryMb &&
    had.timeoutMs === options.timeoutMs &&
    had.clockStepMs === options.clockStepMs &&
    had.maxResultBytes === options.maxResultBytes
  );
}

process.on("message", (request: Request) => {
  let reply: Reply;
  try {
    reply = { id: request.id, ok: true, value: handle(request) };
  } catch (error) {
    reply = {
      id: request.id,
      ok: false,
      error: {
        message: error instanceof Error ? error.message : String(error),
        ...(error instanceof ModuleLoadError ? { code: error.code } : {}),
      },
    };
  }
  process.send?.(reply);
});

process.on("disconnect", () => {
  for (const env of environments.values()) env.close();
  for (const pool of idle.values()) for (const env of pool) env.close();
  sharedWatchdog().close();
  process.exit(0);
});

// ICU loads its data on the first Intl use in a process (tens of ms, hundreds under load): load it
// here, before any tool's call is timed, rather than in the first call that formats a date or a number.
new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", dateStyle: "short", timeStyle: "short" }).format(0);
new Intl.NumberFormat("en-US", { style: "currency", currency: "EUR" }).format(1);
new Intl.Collator("en").compare("a", "b");

process.send?.({ id: 0, ok: true, value: "ready" } satisfies Reply);
