// Hostile cases for the host and sandbox-process side of isolation: what crosses the channel is
// bounded and never crashes either side; a slot-mate's failure costs an episode nothing but a
// verified replay in bounded pieces; an episode's limits do not depend on its neighbours; outcomes
// are told apart by their tag, not their content.
import { afterAll, describe, expect, it } from "vitest";
import { EpisodeJournal, encodeCall } from "../../sandbox/host/episode-journal.ts";
import {
  type CallOutcome,
  type CompiledModule,
  compileToolModule,
  type JsonObject,
  MAX_DEPTH,
  ModuleLoadError,
  Sandbox,
  SandboxError,
  type ToolDeclaration,
} from "../../sandbox/index.ts";
import { Environment, isolateLimits, sharedWatchdog } from "../../sandbox/process/environment.ts";
import { IsolateHost } from "../../sandbox/process/isolate-host.ts";

afterAll(() => sharedWatchdog().close());

const SOURCE = `import { fail } from "envscale/runtime";
let held = [];
// The module's top-level code spins for episodes whose task clock is in 2030.
if (new Date().getUTCFullYear() === 2030) { for (;;) {} }

const megabyte = (seed) => {
  const values = new Array(131072);
  for (let j = 0; j < 131072; j++) values[j] = j + seed + 0.5;
  return values;
};

export function add(db, args) {
  db.items[args.key] = { value: args.value ?? 0 };
  return Object.keys(db.items).length;
}
export function count(db) { return Object.keys(db.items).length; }
export function spin() { for (;;) {} }
/** Writes a file and echoes it back (a large outcome). */
export function write_file(db, args) {
  const before = db.files[args.name];
  db.files[args.name] = { size: args.content.length, version: (before ? before.version : 0) + 1 };
  return { name: args.name, content: args.content };
}
/** Wraps the tree in \`levels\` more levels each call (each commit checks only the levels it adds). */
export function nest(db, args) {
  let node = db.holder.tree;
  for (let i = 0; i < args.levels; i++) node = { child: node };
  db.holder.tree = node;
  return null;
}
/** How deep the isolate's stack goes from here (it depends on where the host entered it): kept, and told with \`report\`. */
export function stack_depth(db, args) {
  let n = 0;
  const dive = () => { n++; dive(); };
  try { dive(); } catch {}
  db.items.depth = { value: n };
  return args.report ? n : null;
}
export function hold(db, args) { held = []; for (let i = 0; i < args.mb; i++) held.push(megabyte(i)); return held.length; }
export function allocate(db, args) { const kept = []; for (let i = 0; i < args.mb; i++) kept.push(megabyte(i)); return kept.length; }
export function echo(db, args) { return args.value; }
export function refuse(db, args) { fail("refused: " + args.why); }
`;

const TOOLS: ToolDeclaration[] = ["add", "count", "spin", "write_file", "nest", "stack_depth", "hold", "allocate", "echo", "refuse"].map(
  (name) => ({ name, ...(name === "count" ? { access: "read" as const } : {}) }),
);

const STATE: JsonObject = { items: {}, files: {}, holder: { tree: {} } };

let compiledModule: CompiledModule | null = null;
async function compiled(): Promise<CompiledModule> {
  if (compiledModule) return compiledModule;
  const result = await compileToolModule(SOURCE, { tools: TOOLS, filename: "slots.ts" });
  if (!result.ok) throw new Error(JSON.stringify(result.findings));
  compiledModule = result.module;
  return result.module;
}

/** A state whose `tree` nests `levels` objects below its root (the root is one level). */
function deepState(levels: number): JsonObject {
  let inner: JsonObject = {};
  const tree = inner;
  for (let i = 2; i < levels; i++) {
    const next: JsonObject = {};
    inner.child = next;
    inner = next;
  }
  return { ...STATE, tree };
}

async function withSandbox<T>(run: (sandbox: Sandbox) => Promise<T>, environment = {}): Promise<T> {
  const sandbox = await Sandbox.start({ processes: 1, environment });
  try {
    return await run(sandbox);
  } finally {
    await sandbox.close();
  }
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

/** A large file, echoed back: the environments that write it allow results of 4 MiB. */
const CONTENT = "x".repeat(900_000);
const LARGE_RESULTS = { maxResultBytes: 4 << 20 };

describe("the channel between the host and a sandbox process", () => {
  it("refuses a state nested deeper than the bound at open, reset and runEpisode, naming it; the process lives", async () => {
    await withSandbox(async (sandbox) => {
      const module = await compiled();
      const [pid] = sandbox.pids();
      for (const levels of [MAX_DEPTH + 1, 1800, 5000]) {
        const error = await rejection(sandbox.open(module, deepState(levels)));
        expect(error).toBeInstanceOf(SandboxError);
        expect(error.message).toMatch(/^the state is nested more than 64 levels deep at db\.tree\.child\.child/);
        expect((error as SandboxError).details).toMatchObject({ bound: "depth", limit: 64 });
      }
      // The deepest state allowed opens.
      const env = await sandbox.open(module, deepState(MAX_DEPTH));
      expect((await rejection(env.reset(deepState(1800)))).message).toMatch(/nested more than 64 levels deep/);
      expect((await rejection(env.runEpisode({ state: deepState(1800), calls: [] }))).message).toMatch(/nested more than 64 levels deep/);
      // Nothing died, and the environment still holds its episode.
      expect(await env.call("add", { key: "a" })).toEqual({ ok: true, result: 1 });
      expect(sandbox.pids()).toEqual([pid]);
      expect(sandbox.metrics().process_crashes).toBe(0);
      await env.close();
    });
  });

  it("refuses a state larger than the bound, or holding a number JSON cannot write or a __proto__ key, naming what and where", async () => {
    await withSandbox(async (sandbox) => {
      const module = await compiled();
      const big = { ...STATE, items: { blob: { text: "y".repeat(17 * 1024 * 1024) } } };
      const cases: [JsonObject, RegExp][] = [
        [big, /^the state is larger than its bound of 16,777,216 characters of JSON \(16 MiB: a quarter of the isolate's memory limit\)/],
        [
          { ...STATE, items: { a: { value: Number.POSITIVE_INFINITY } } },
          /^the state holds Infinity at db\.items\.a\.value, which JSON cannot write/,
        ],
        [JSON.parse('{"items":{"__proto__":{"value":1}},"files":{}}'), /^the state holds the key "__proto__" at db\.items/],
      ];
      for (const [state, message] of cases) {
        const error = await rejection(sandbox.open(module, state));
        expect(error).toBeInstanceOf(SandboxError);
        expect(error.message).toMatch(message);
      }
      // The size bound follows the isolate's memory limit: 4 MiB for 16 MB.
      const five = { ...STATE, items: { blob: { text: "y".repeat(5 * 1024 * 1024) } } };
      const small = await rejection(sandbox.open(module, five, { memoryMb: 16 }));
      expect((small as SandboxError).details).toEqual({ bound: "size", path: "db", limit: 4 * 1024 * 1024 });
      expect(sandbox.metrics().process_crashes).toBe(0);
    });
  });

  it("never sends a state deeper than the bound to the host, however many calls built it", async () => {
    await withSandbox(async (sandbox) => {
      const module = await compiled();
      const env = await sandbox.open(module, STATE);
      // 26 calls of 95 levels each: 2,470 levels if every commit were let through.
      const outcomes: CallOutcome[] = [];
      for (let i = 0; i < 26; i++) outcomes.push(await env.call("nest", { levels: 95 }));
      const committed = outcomes.filter((outcome) => outcome.ok).length;
      if (committed * 95 + 3 > MAX_DEPTH) {
        // The isolate let the state grow past the bound: exporting it is refused, naming the bound.
        const error = await rejection(env.state());
        expect(error).toBeInstanceOf(SandboxError);
        expect(error.message).toMatch(/nested more than 64 levels deep/);
        // The same episode in one message, its state asked for with the outcomes.
        const nests = Array.from({ length: 26 }, () => ({ tool: "nest", arguments: { levels: 95 } }));
        const exported = await rejection(env.runEpisode({ calls: nests, exportState: true }));
        expect(exported).toBeInstanceOf(SandboxError);
        expect((exported as SandboxError).details).toMatchObject({ bound: "depth", limit: 64 });
        // That episode's outcomes never came back: it ended, until a reset.
        expect(await env.call("count", {})).toMatchObject({ ok: false, error: { code: "INTERNAL" } });
        await env.reset();
      } else {
        // The isolate refused the commits that would pass the bound.
        expect(outcomes.at(-1)).toMatchObject({ ok: false, error: { code: "INVALID_STATE" } });
        await env.state();
      }
      // This process (the host) is alive to see it, and so is the sandbox process.
      expect(sandbox.metrics().process_crashes).toBe(0);
      expect(await env.call("add", { key: "after" })).toEqual({ ok: true, result: 1 });
      await env.close();
    });
  });
});

describe("arguments of any depth", () => {
  it("never crash either side: too deep to write is INVALID_ARGS, too deep to return is INVALID_RESULT", async () => {
    const nested = (levels: number) => {
      let value: unknown = "core";
      for (let i = 0; i < levels; i++) value = { inner: value };
      return value;
    };
    await withSandbox(async (sandbox) => {
      const module = await compiled();
      const env = await sandbox.open(module, STATE);
      const [pid] = sandbox.pids();
      expect(await env.call("echo", { value: nested(200_000) })).toMatchObject({
        ok: false,
        error: { code: "INVALID_ARGS", message: expect.stringMatching(/^arguments are not JSON: Maximum call stack size exceeded/) },
      });
      expect(await env.call("echo", { value: nested(500) })).toMatchObject({ ok: false, error: { code: "INVALID_RESULT" } });
      expect(await env.call("echo", { value: nested(10) })).toEqual({ ok: true, result: nested(10) });
      expect(sandbox.pids()).toEqual([pid]);
      await env.close();
    });
  });
});

describe("when a slot-mate fails", () => {
  it("replays an episode of 40 writes of 0.9 MB in bounded pieces after a slot-mate's TIMEOUT: its next call and hash are as before", async () => {
    const module = await compiled();
    const limits = { timeoutMs: 2000, memoryMb: 64, ...LARGE_RESULTS };
    const host = IsolateHost.boot(module, isolateLimits(limits), sharedWatchdog());
    const writer = Environment.openOn(host, STATE, limits);
    const rogue = Environment.openOn(host, STATE, limits);
    try {
      for (let i = 0; i < 40; i++) expect(writer.call("write_file", { name: "f", content: CONTENT }).ok).toBe(true);
      const hash = writer.stateHash();
      expect(rogue.call("spin", {})).toMatchObject({ ok: false, error: { code: "TIMEOUT" } });
      expect(host.rebuilds).toBe(1);
      expect(writer.stateHash()).toBe(hash);
      expect(writer.call("write_file", { name: "f", content: "short" })).toEqual({ ok: true, result: { name: "f", content: "short" } });
      expect(writer.state()).toMatchObject({ files: { f: { size: 5, version: 41 } } });
      expect(rogue.call("count", {})).toEqual({ ok: true, result: 0 });
    } finally {
      writer.close();
      rogue.close();
      host.close();
    }
  });

  it("restores the same episode after its sandbox process dies, every acknowledged write in place", async () => {
    await withSandbox(
      async (sandbox) => {
        const module = await compiled();
        const env = await sandbox.open(module, STATE);
        for (let i = 0; i < 40; i++) expect((await env.call("write_file", { name: "f", content: CONTENT })).ok).toBe(true);
        const hash = await env.stateHash();
        process.kill(sandbox.pids()[0] as number, "SIGKILL");
        expect(await env.stateHash()).toBe(hash);
        expect(await env.state()).toMatchObject({ files: { f: { size: 900_000, version: 40 } } });
        expect(sandbox.metrics()).toMatchObject({ process_crashes: 1, restores: 1 });
        await env.close();
      },
      { timeoutMs: 2000, ...LARGE_RESULTS },
    );
  });

  it("ends an episode whose replay diverges from its journal with a clear error; its slot-mates go on", async () => {
    const module = await compiled();
    const limits = { timeoutMs: 1000 };
    const host = IsolateHost.boot(module, isolateLimits(limits), sharedWatchdog());
    const [diverging, calm, rogue] = [1, 2, 3].map(() => Environment.openOn(host, STATE, limits)) as [
      Environment,
      Environment,
      Environment,
    ];
    try {
      // Entered from deep in the host's stack, the call sees less of the isolate's stack than its replay will.
      const deep = (levels: number): CallOutcome => (levels === 0 ? diverging.call("stack_depth", {}) : deep(levels - 1));
      expect(deep(400)).toEqual({ ok: true, result: null });
      diverging.stateHash();
      calm.call("add", { key: "kept", value: 1 });
      const calmHash = calm.stateHash();
      expect(rogue.call("spin", {})).toMatchObject({ ok: false, error: { code: "TIMEOUT" } });
      const after = diverging.call("add", { key: "x" });
      expect(after).toMatchObject({ ok: false, error: { code: "INTERNAL" } });
      if (!after.ok)
        expect(after.error.message).toBe(
          "the episode ended: its replay diverged from the journal: after its 1 call the state hash differs from the one acknowledged; reset the environment",
        );
      expect(() => diverging.stateHash()).toThrow(/the episode ended/);
      // The others were rebuilt as they were.
      expect(calm.stateHash()).toBe(calmHash);
      expect(calm.call("count", {})).toEqual({ ok: true, result: 1 });
      // A reset starts a new episode.
      diverging.reset();
      expect(diverging.call("add", { key: "y" })).toEqual({ ok: true, result: 1 });
    } finally {
      for (const env of [diverging, calm, rogue]) env.close();
      host.close();
    }
  });

  it("ends an episode whose replayed outcomes differ from the acknowledged ones, naming the call", async () => {
    const module = await compiled();
    const limits = { timeoutMs: 1000 };
    const host = IsolateHost.boot(module, isolateLimits(limits), sharedWatchdog());
    const [diverging, rogue] = [1, 2].map(() => Environment.openOn(host, STATE, limits)) as [Environment, Environment];
    try {
      const deep = (levels: number): CallOutcome => (levels === 0 ? diverging.call("stack_depth", { report: true }) : deep(levels - 1));
      expect(deep(400)).toMatchObject({ ok: true });
      expect(diverging.call("echo", { value: "next" })).toEqual({ ok: true, result: "next" });
      expect(diverging.call("count", {})).toEqual({ ok: true, result: 1 });
      expect(rogue.call("spin", {})).toMatchObject({ ok: false, error: { code: "TIMEOUT" } });
      // No state hash was acknowledged: the first call's outcome tells.
      expect(diverging.call("count", {})).toEqual({
        ok: false,
        error: {
          code: "INTERNAL",
          message:
            "the episode ended: its replay diverged from the journal at call 1 of 3 (stack_depth): the outcome differs from the one acknowledged; reset the environment",
        },
      });
      // The episode's state is refused until a reset.
      expect(() => diverging.state()).toThrow(/^the episode ended: its replay diverged/);
    } finally {
      diverging.close();
      rogue.close();
      host.close();
    }
  });

  it("when a module's top-level code times out while an episode opens, rebuilds the isolate: a slot-mate's next call runs", async () => {
    const module = await compiled();
    const limits = { timeoutMs: 300 };
    const host = IsolateHost.boot(module, isolateLimits(limits), sharedWatchdog());
    const mate = Environment.openOn(host, STATE, limits);
    try {
      mate.call("add", { key: "a" });
      const hash = mate.stateHash();
      expect(() => Environment.openOn(host, STATE, { ...limits, clock: "2030-01-01T00:00:00Z" })).toThrow(ModuleLoadError);
      expect(mate.stateHash()).toBe(hash);
      expect(mate.call("add", { key: "b" })).toEqual({ ok: true, result: 2 });
      // The same for a reset of the mate itself into such an episode: it fails, and a reset back works.
      expect(() => mate.reset(undefined, { clock: "2030-01-01T00:00:00Z" })).toThrow(ModuleLoadError);
      mate.reset(STATE, { clock: "2025-01-01T00:00:00Z" });
      expect(mate.call("add", { key: "c" })).toEqual({ ok: true, result: 1 });
    } finally {
      mate.close();
      host.close();
    }
  });

  it("through the sandbox: a slot-mate's failed open costs nothing, the warm isolate is never handed out disposed, an episode that diverged ends", async () => {
    await withSandbox(
      async (sandbox) => {
        const module = await compiled();
        const mate = await sandbox.open(module, STATE);
        expect(await mate.call("add", { key: "a" })).toEqual({ ok: true, result: 1 });
        const failed = await rejection(sandbox.open(module, STATE, { clock: "2030-01-01T00:00:00Z" }));
        expect(failed).toBeInstanceOf(ModuleLoadError);
        expect(await mate.call("add", { key: "b" })).toEqual({ ok: true, result: 2 });
        // Resetting and opening on the module work, in its one warm isolate.
        await mate.reset(STATE);
        const other = await sandbox.open(module, STATE);
        expect(await other.call("count", {})).toEqual({ ok: true, result: 0 });
        expect((await sandbox.stats())[0]).toMatchObject({ environments: 2, isolates: 1 });
        // An episode whose replay diverged ends, and says so; its calls do not run.
        await mate.callMany([{ tool: "stack_depth", arguments: {} }]);
        await mate.stateHash();
        const rogue = await sandbox.open(module, STATE);
        expect(await rogue.call("spin", {})).toMatchObject({ ok: false, error: { code: "TIMEOUT" } });
        expect(await mate.call("add", { key: "never" })).toEqual({
          ok: false,
          error: {
            code: "INTERNAL",
            message:
              "the episode ended: its replay diverged from the journal: after its 1 call the state hash differs from the one acknowledged; reset the environment",
          },
        });
        expect((await rejection(mate.stateHash())).message).toMatch(/^the episode ended: /);
        // Its slot-mates went on; a reset starts it again, even after its process died.
        expect(await other.call("count", {})).toEqual({ ok: true, result: 0 });
        process.kill(sandbox.pids()[0] as number, "SIGKILL");
        await mate.reset(STATE);
        expect(await mate.call("count", {})).toEqual({ ok: true, result: 0 });
        for (const env of [mate, other, rogue]) await env.close();
      },
      { timeoutMs: 300 },
    );
  });
});

describe("an episode beside failing slot-mates", () => {
  it("gives byte-identical outcomes, state and hash alone, beside and after each kind of failure", async () => {
    const module = await compiled();
    // A time limit the 30 MB allocation keeps well within even on a busy machine (each hostile
    // failure below costs it: the test takes ~20 s).
    const limits = { timeoutMs: 2000, memoryMb: 64, seed: 7 };
    const episode: { tool: string; arguments: object }[] = [
      { tool: "add", arguments: { key: "a", value: 1 } },
      { tool: "write_file", arguments: { name: "f", content: "text" } },
      { tool: "refuse", arguments: { why: "no" } },
      { tool: "allocate", arguments: { mb: 30 } },
      { tool: "add", arguments: { key: "b", value: 2 } },
      { tool: "echo", arguments: { value: { frames: [1] } } },
      { tool: "count", arguments: {} },
    ];
    const alone = Environment.open(module, STATE, limits);
    const expected = { outcomes: JSON.stringify(episode.map((c) => alone.call(c.tool, c.arguments))), hash: alone.stateHash() };
    const expectedState = JSON.stringify(alone.state());
    alone.close();
    type Hostile = (host: IsolateHost, step: number, mates: Environment[]) => void;
    const hostiles: [string, Hostile][] = [
      [
        "a slot-mate that runs past its time limit",
        (host, step, mates) => {
          if (step === 0) mates.push(Environment.openOn(host, STATE, limits));
          if (step === 0 || step === 4) (mates[0] as Environment).call("spin", {});
        },
      ],
      [
        "a slot-mate holding 56 MB",
        (host, step, mates) => {
          if (step === 0) mates.push(Environment.openOn(host, STATE, limits));
          if (step === 2) (mates[0] as Environment).call("hold", { mb: 56 });
        },
      ],
      [
        "a slot-mate whose module's top-level code runs past its limit as it opens",
        (host, step) => {
          if (step === 1 || step === 5)
            expect(() => Environment.openOn(host, STATE, { ...limits, clock: "2030-01-01T00:00:00Z" })).toThrow(ModuleLoadError);
        },
      ],
    ];
    for (const [name, hostile] of hostiles) {
      const host = IsolateHost.boot(module, isolateLimits(limits), sharedWatchdog());
      const mates: Environment[] = [];
      hostile(host, -1, mates);
      const env = Environment.openOn(host, STATE, limits);
      const outcomes = episode.map((call, step) => {
        const outcome = env.call(call.tool, call.arguments);
        hostile(host, step, mates);
        return outcome;
      });
      expect(JSON.stringify(outcomes), name).toBe(expected.outcomes);
      expect(env.stateHash(), name).toBe(expected.hash);
      expect(JSON.stringify(env.state()), name).toBe(expectedState);
      env.close();
      for (const mate of mates) mate.close();
      host.close();
    }
  }, 90_000);
});

describe("the host's journal", () => {
  it("keeps only the calls that happened: never one that hit a limit or was answered INTERNAL without running", () => {
    const journal = new EpisodeJournal(STATE);
    const calls = ["a", "b", "c", "d", "e"].map((key) => encodeCall({ tool: "add", arguments: { key } }));
    const texts = calls.map((call) => ("text" in call ? call.text : ""));
    const outcomes: CallOutcome[] = [
      { ok: true, result: 1 },
      { ok: false, error: { code: "TIMEOUT", message: "past its limit" } },
      { ok: false, error: { code: "INTERNAL", message: "the episode ended: …" } },
      { ok: false, error: { code: "TOOL_ERROR", message: "refused" } },
      { ok: false, error: { code: "MEMORY_LIMIT", message: "past the memory limit" } },
    ];
    journal.record(texts, texts.join(","), outcomes, { lengths: [11, 12, 13, 14, 15], hashes: [21, 22, 23, 24, 25] });
    journal.acknowledge("h1");
    expect(journal.replay()).toEqual({
      calls: '[{"tool":"add","arguments":{"key":"a"}},{"tool":"add","arguments":{"key":"d"}}]',
      lengths: [11, 14],
      hashes: [21, 24],
      hash: "h1",
    });
    // A hash acknowledged before later calls says nothing of the state after them.
    journal.record([texts[0] as string], texts[0] as string, [{ ok: true, result: 2 }], { lengths: [16], hashes: [26] });
    expect(journal.replay()).toMatchObject({ lengths: [11, 14, 16], hashes: [21, 24, 26] });
    expect(journal.replay()).not.toHaveProperty("hash");
  });

  it("keeps a call as it was made: arguments changed afterwards change nothing, and arguments JSON cannot write are refused", () => {
    const args: { key: string; self?: unknown } = { key: "a" };
    const encoded = encodeCall({ tool: "add", arguments: args });
    args.key = "changed";
    expect(encoded).toEqual({ text: '{"tool":"add","arguments":{"key":"a"}}' });
    args.self = args;
    expect(encodeCall({ tool: "add", arguments: args })).toMatchObject({ refused: { ok: false, error: { code: "INVALID_ARGS" } } });
    // A call without arguments crosses as one (the sandbox process takes them as {}).
    expect(encodeCall({ tool: "count", arguments: undefined })).toEqual({ text: '{"tool":"count"}' });
  });
});

describe("limits per episode", () => {
  it("a call that allocates 30 MB succeeds alone, and beside a slot-mate holding 56 MB too", async () => {
    const module = await compiled();
    const limits = { timeoutMs: 5000, memoryMb: 64 };
    const alone = Environment.open(module, STATE, limits);
    expect(alone.call("allocate", { mb: 30 })).toEqual({ ok: true, result: 30 });
    alone.close();
    const host = IsolateHost.boot(module, isolateLimits(limits), sharedWatchdog());
    const holder = Environment.openOn(host, STATE, limits);
    const neighbour = Environment.openOn(host, STATE, limits);
    try {
      expect(holder.call("add", { key: "h" })).toEqual({ ok: true, result: 1 });
      expect(holder.call("hold", { mb: 56 })).toEqual({ ok: true, result: 56 });
      neighbour.call("add", { key: "n" });
      expect(neighbour.call("allocate", { mb: 30 })).toEqual({ ok: true, result: 30 });
      // Both episodes go on as they were.
      expect(neighbour.call("count", {})).toEqual({ ok: true, result: 1 });
      expect(holder.call("count", {})).toEqual({ ok: true, result: 1 });
      // A call that would not fit alone still fails.
      expect(neighbour.call("allocate", { mb: 200 })).toMatchObject({ ok: false, error: { code: "MEMORY_LIMIT" } });
      expect(neighbour.call("count", {})).toEqual({ ok: true, result: 1 });
    } finally {
      holder.close();
      neighbour.close();
      host.close();
    }
  });
});

describe("outcomes are told apart by their tag", () => {
  it("returns a result holding frames as a result, in a slot and through the sandbox", async () => {
    const module = await compiled();
    const value = { shipping_address: { line: "1 Main St", frames: [1] }, note: '"frames":[' };
    const env = Environment.open(module, STATE);
    expect(env.call("echo", { value })).toEqual({ ok: true, result: value });
    const refused = env.call("refuse", { why: '"frames":[' });
    expect(refused).toMatchObject({ ok: false, error: { code: "TOOL_ERROR", message: 'refused: "frames":[', line: 42 } });
    env.close();
    await withSandbox(async (sandbox) => {
      const remote = await sandbox.open(module, STATE);
      expect(await remote.call("echo", { value })).toEqual({ ok: true, result: value });
      expect(await remote.runEpisode({ calls: [{ tool: "echo", arguments: { value } }] })).toMatchObject({
        outcomes: [{ ok: true, result: value }],
      });
      await remote.close();
    });
  });
});
