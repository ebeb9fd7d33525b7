// A sandbox process: holds many environments (in slots of warm isolates, isolate-host.ts) and answers the host's requests.
// V8 cannot survive every out-of-memory; when it does not, this process dies and the host
// (host/sandbox.ts) reports the call and rebuilds its environments elsewhere. Nothing here is shared
// with the host but messages.
import { hitLimit, ModuleLoadError } from "../shared/call-errors.ts";
import { COLLECTOR_GLOBAL } from "../shared/collector.ts";
import type { EnvironmentOptions } from "../shared/environment-options.ts";
import type { OutcomeChecks } from "../shared/outcome-check.ts";
import type { EpisodeReply, OutcomesReply, ProcessStats, Reply, ReplyMessage, Request, RequestMessage } from "../shared/protocol.ts";
import { boundsDetails, StateBoundsError } from "../shared/state-checks.ts";
import type { CallOutcome, CompiledModule, ToolCall } from "../shared/tool-module.ts";
import { Environment, isolateLimits, sharedWatchdog } from "./environment.ts";
import { IsolateHost, type IsolateLimits } from "./isolate-host.ts";

const modules = new Map<string, CompiledModule>();
const environments = new Map<number, Environment>();
/**
 * Warm isolates by module and limits. An environment opens in a slot of one that has room (a
 * reset, no isolate built); a new isolate is built only when every one of its module is full.
 */
const isolates = new Map<string, IsolateHost[]>();
/** Episodes one isolate holds at most: they share its heap limit, and a call that kills it makes every one of them replay. */
const SLOTS_PER_ISOLATE = 64;
/** An isolate takes no new episode once this share of its heap limit is in use. */
const HEAP_SHARE_FOR_NEW_SLOTS = 0.35;
/** Isolates with no episode open, least recently emptied first. */
const empty = new Set<IsolateHost>();
/**
 * Empty isolates kept warm in all, least recently emptied first out: a pipeline that verifies
 * hundreds of domains must not keep one isolate per module it has ever seen (~3 MB each) without
 * bound. The host sets the bound from the machine's memory (host/sandbox.ts).
 */
const IDLE_TOTAL = Math.max(1, Number(process.env.ENVSCALE_SANDBOX_IDLE) || 64);

function isolateKey(hash: string, limits: IsolateLimits): string {
  return `${hash}|${limits.memoryMb}|${limits.timeoutMs}|${limits.maxResultBytes}`;
}

/** An isolate of the module with room for one more episode, built if none has. */
function isolateFor(module: CompiledModule, options: EnvironmentOptions): IsolateHost {
  const limits = isolateLimits(options);
  const key = isolateKey(module.hash, limits);
  const list = isolates.get(key) ?? [];
  const heapBound = limits.memoryMb * 1024 * 1024 * HEAP_SHARE_FOR_NEW_SLOTS;
  for (const host of list) {
    // A disposed isolate is never handed out: an empty one is closed (a new one costs the same as
    // a rebuild), one with episodes is rebuilt first (they need it too).
    if (host.isolate.isDisposed) {
      if (host.slots === 0) {
        retire(host);
        continue;
      }
      try {
        host.ensureLive();
      } catch {
        continue;
      }
    }
    if (host.slots === 0 || (host.slots < SLOTS_PER_ISOLATE && host.heapBytes() < heapBound)) return host;
  }
  const host = IsolateHost.boot(module, limits, sharedWatchdog());
  host.onEmptied = emptied;
  isolates.set(key, [...(isolates.get(key) ?? []), host]);
  return host;
}

/**
 * An isolate whose last episode closed waits, warm, for the next one; the oldest beyond the bound
 * are closed, and so is one left disposed (nothing on it to rebuild).
 */
function emptied(host: IsolateHost): void {
  empty.delete(host);
  if (host.isolate.isDisposed || host.closed) {
    retire(host);
    return;
  }
  empty.add(host);
  for (const oldest of empty) {
    if (empty.size <= IDLE_TOTAL) break;
    retire(oldest);
  }
}

function retire(host: IsolateHost): void {
  empty.delete(host);
  host.close();
  const key = isolateKey(host.module.hash, host.limits);
  const list = (isolates.get(key) ?? []).filter((other) => other !== host);
  if (list.length > 0) isolates.set(key, list);
  else isolates.delete(key);
}

/** Every isolate: the warm ones by module, and those episodes were given of their own (environment.ts). */
function allIsolates(): IsolateHost[] {
  const all = new Set([...isolates.values()].flat());
  for (const env of environments.values()) all.add(env.host);
  return [...all];
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

/**
 * An episode's calls on a reset environment: the reply (outcomes as JSON text, which the isolate
 * wrote and the host parses once; the state hash; the state if asked for) and the last call's
 * outcome text, for `episodes` to tell a call that hit its limit.
 */
function runEpisode(
  env: Environment,
  batch: readonly ToolCall[],
  exportState: boolean,
  changes = false,
): { reply: EpisodeReply; last: string | undefined } {
  const { reply, texts } = runCalls(env, batch);
  return {
    reply: {
      ...reply,
      stateHash: env.stateHash(),
      ...(exportState ? { state: env.stateText() } : {}),
      ...(changes ? { changes: env.changesText() } : {}),
    },
    last: texts.at(-1),
  };
}

/** Calls on an environment: the reply (outcomes as one JSON text, which the host parses once; each outcome's check) and the texts. */
function runCalls(env: Environment, batch: readonly ToolCall[]): { reply: OutcomesReply; texts: string[] } {
  calls += batch.length;
  const checks: OutcomeChecks = { lengths: [], hashes: [] };
  const texts = env.callManyText(batch, checks);
  return { reply: { outcomes: `[${texts.join(",")}]`, ...checks }, texts };
}

function handle(request: Request): unknown {
  switch (request.op) {
    case "module": {
      const module = JSON.parse(request.module) as CompiledModule;
      modules.set(module.hash, module);
      return null;
    }
    case "open": {
      const module = modules.get(request.module);
      if (!module) throw new Error(`module ${request.module} was not sent to this sandbox process`);
      const host = isolateFor(module, request.options);
      empty.delete(host);
      // An open that fails closes its environment, and the isolate, if that emptied it, is kept warm or closed.
      environments.set(request.env, Environment.openOn(host, request.state, request.options, request.stateKey));
      return null;
    }
    // Outcomes travel as JSON text: the isolate wrote it, the host parses it once.
    case "callMany":
      return runCalls(need(request.env), JSON.parse(request.calls) as ToolCall[]).reply;
    case "replay":
      need(request.env).replay(JSON.parse(request.calls) as ToolCall[], { lengths: request.lengths, hashes: request.hashes }, request.hash);
      return null;
    case "state":
      return need(request.env).stateText();
    case "hash":
      return need(request.env).stateHash();
    case "reset":
      need(request.env).reset(request.state, request.options ?? {}, request.stateKey);
      return null;
    case "episode": {
      const env = need(request.env);
      env.reset(request.state, request.options ?? {}, request.stateKey);
      return runEpisode(env, JSON.parse(request.calls) as ToolCall[], request.export === true, request.changes === true).reply;
    }
    case "episodes": {
      const env = need(request.env);
      const list = JSON.parse(request.episodes) as { calls: ToolCall[]; export?: boolean }[];
      const replies: EpisodeReply[] = [];
      let fatal = 0;
      for (const [i, episode] of list.entries()) {
        if (i === 0) env.reset(request.state, request.options ?? {}, request.stateKey);
        else env.reset(undefined, request.options ?? {});
        const { reply, last } = runEpisode(env, episode.calls, episode.export === true);
        replies.push(reply);
        if (
          last !== undefined &&
          hitLimit(JSON.parse(last) as CallOutcome) &&
          ++fatal >= (request.stopAfterFatal ?? Number.POSITIVE_INFINITY)
        )
          break;
      }
      return replies;
    }
    case "close": {
      const env = environments.get(request.env);
      environments.delete(request.env);
      // Its isolate, emptied, is kept warm or closed (IsolateHost.onEmptied).
      env?.close();
      return null;
    }
    case "stats": {
      const hosts = allIsolates();
      if (request.collect) {
        for (const host of hosts) host.collect();
        collectProcess();
      }
      let heapBytes = 0;
      let rebuilds = 0;
      let isolateBytes = 0;
      for (const host of hosts) {
        heapBytes += host.heapBytes();
        rebuilds += host.rebuilds;
        isolateBytes += host.memoryBytes();
      }
      const memory = process.memoryUsage();
      const stats: ProcessStats = {
        environments: environments.size,
        idle: empty.size,
        isolates: hosts.length,
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

/** A request of a batch whose state travelled once for the batch: the state text put back by its key. */
function withState(request: Request, states: Record<number, string> | undefined): Request {
  if (states === undefined || !("stateKey" in request) || request.stateKey === undefined || "state" in request) return request;
  const state = states[request.stateKey];
  return state === undefined ? request : ({ ...request, state } as Request);
}

function answer(request: Request): Reply {
  try {
    return { id: request.id, ok: true, value: handle(request) };
  } catch (error) {
    return {
      id: request.id,
      ok: false,
      error: {
        message: error instanceof Error ? error.message : String(error),
        ...(error instanceof ModuleLoadError ? { code: error.code } : {}),
        ...(error instanceof StateBoundsError ? { details: boundsDetails(error) } : {}),
      },
    };
  }
}

// Requests the host made in one turn arrive as one message; their replies leave as one.
process.on("message", (message: RequestMessage) => {
  const reply: ReplyMessage =
    message.op === "batch" ? { batch: message.requests.map((request) => answer(withState(request, message.states))) } : answer(message);
  process.send?.(reply);
});

process.on("disconnect", () => {
  for (const env of environments.values()) env.close();
  for (const host of allIsolates()) host.close();
  sharedWatchdog().close();
  process.exit(0);
});

// ICU loads its data on the first Intl use in a process (tens of ms, hundreds under load): load it
// here, before any tool's call is timed, rather than in the first call that formats a date or a number.
new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", dateStyle: "short", timeStyle: "short" }).format(0);
new Intl.NumberFormat("en-US", { style: "currency", currency: "EUR" }).format(1);
new Intl.Collator("en").compare("a", "b");

process.send?.({ id: 0, ok: true, value: "ready" } satisfies Reply);
