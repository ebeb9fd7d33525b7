// Isolation between episodes that share one isolate (issue 20, items 1–5), tried as an attacker
// would: each case is a tool module of our own, as a model might write one, that tries to reach
// another episode (or the next call) through what the isolate shares. Then the property: a fixed
// episode gives byte-identical outcomes and state hashes alone, beside and after each of them.
import { afterAll, describe, expect, it } from "vitest";
import type { JsonObject } from "../../kernel/canonical-json.ts";
import { type CompiledModule, compileToolModule, Sandbox, type ToolCall } from "../../sandbox/index.ts";
import { createDatabase } from "../../sandbox/isolate/database.ts";
import { Environment, isolateLimits, sharedWatchdog } from "../../sandbox/process/environment.ts";
import { IsolateHost } from "../../sandbox/process/isolate-host.ts";
import { MAX_DEPTH } from "../../sandbox/shared/state-bounds.ts";

afterAll(() => sharedWatchdog().close());

const STATE: JsonObject = { items: { base: { id: "it_0", tags: ["a", "b"] } }, deep: { root: { level: 0 } } };

/** What every module below also exports: the tools of the fixed episode. */
const NORMAL = `
export function add(db, args) {
  const id = newId("it");
  console.log("adding", args.key);
  const tags = args.tags.values().map((t) => t.toUpperCase()).toArray();
  const words = [...new Intl.Segmenter("en", { granularity: "word" }).segment(args.key)].map((s) => s.segment);
  db.items[args.key] = { id, at: now(), tags, words, draw: Math.random() };
  return { id, count: Object.keys(db.items).length, first: /^(\\w)/.exec(args.key)?.[1] ?? null };
}
export function read(db, args) {
  return db.items[args.key] ?? null;
}
`;
const NORMAL_TOOLS = [{ name: "add" }, { name: "read", access: "read" as const }];
const FIXED_EPISODE: ToolCall[] = [
  { tool: "add", arguments: { key: "alpha", tags: ["x", "y"] } },
  { tool: "read", arguments: { key: "base" } },
  { tool: "add", arguments: { key: "beta gamma", tags: ["z"] } },
  { tool: "read", arguments: { key: "alpha" } },
];

/** Hostile tools declared read-only (they get the read view); the others are write tools. */
const READ_TOOLS = new Set(["peek", "keepView", "trapCount", "unfrozen"]);

/** The module of the normal tools and the hostile ones (every function `hostile` exports). */
async function compile(hostile: string): Promise<CompiledModule> {
  const source = `import { newId, now } from "envscale/runtime";\n${NORMAL}\n${hostile}`;
  const tools = [...hostile.matchAll(/^export function (\w+)/gm)].map((match) => {
    const name = match[1] as string;
    return READ_TOOLS.has(name) ? { name, access: "read" as const } : { name };
  });
  const result = await compileToolModule(source, {
    filename: "hostile.ts",
    tools: [...NORMAL_TOOLS, ...tools],
  });
  if (!result.ok) throw new Error(JSON.stringify(result.findings));
  return result.module;
}

const limits = { timeoutMs: 2000, memoryMb: 64 };
const shared = (module: CompiledModule) => IsolateHost.boot(module, isolateLimits(limits), sharedWatchdog());
const open = (host: IsolateHost, seed: number, state: JsonObject = STATE) => Environment.openOn(host, state, { ...limits, seed });

// ---------------------------------------------------------------- item 1: intrinsics and RegExp statics

const INTRINSICS = `
const targets = () => {
  const segments = new Intl.Segmenter().segment("ab");
  return {
    helper: Object.getPrototypeOf([].values().map((x) => x)),
    wrapper: Object.getPrototypeOf(Iterator.from({ next() { return { done: true }; } })),
    segments: Object.getPrototypeOf(segments),
    segmentIterator: Object.getPrototypeOf(segments[Symbol.iterator]()),
  };
};
export function plant(db, args) {
  const planted = [];
  for (const [name, proto] of Object.entries(targets())) {
    try { proto.secret = args.secret; planted.push(name); } catch {}
    try { Object.defineProperty(proto, "next", { value() { return { done: false, value: args.secret }; } }); planted.push(name + ".next"); } catch {}
  }
  return planted;
}
export function peek(db) {
  const seen = {};
  for (const [name, proto] of Object.entries(targets())) seen[name] = proto.secret ?? null;
  return seen;
}
`;

/** Tool code of its own (independent of realm.ts): every object reachable from the global and from instances of built-ins that is not frozen. */
const UNFROZEN_WALK = `
export function unfrozen() {
  const seen = new Set();
  const found = [];
  const queue = [[globalThis, "globalThis"]];
  const fresh = new Set();
  const visit = (value, path) => {
    if ((typeof value !== "object" && typeof value !== "function") || value === null || seen.has(value)) return;
    queue.push([value, path]);
  };
  const instances = [];
  const tryIt = (fn) => { try { return fn(); } catch { return undefined; } };
  // Probe arguments are ours, fresh each time: never counted as shared.
  const ours = (value) => { fresh.add(value); return value; };
  const argSets = () => [[], [ours(() => 0)], [ours({ next() { return { done: true }; } })], [""], [ours([1])], ["a", 1]];
  const probedFns = new Set();
  const probedProtos = new Set();
  const probeInstances = () => {
    const batch = instances.splice(0);
    for (const [instance, at] of batch) {
      if ((typeof instance !== "object" && typeof instance !== "function") || instance === null || seen.has(instance)) continue;
      fresh.add(instance);
      // Methods of its prototype chain, called on it.
      for (let proto = Object.getPrototypeOf(instance); proto !== null; proto = Object.getPrototypeOf(proto)) {
        if (probedProtos.has(proto)) continue;
        probedProtos.add(proto);
        for (const key of Reflect.ownKeys(proto)) {
          const desc = Reflect.getOwnPropertyDescriptor(proto, key);
          const fn = "value" in desc ? desc.value : desc.get;
          if (typeof fn !== "function" || key === "constructor") continue;
          for (const args of argSets()) {
            const out = tryIt(() => Reflect.apply(fn, instance, args));
            if ((typeof out === "object" || typeof out === "function") && out !== null && out !== instance && !seen.has(out)) {
              if (instances.length < 20000) instances.push([out, at + "." + String(key) + "()"]);
            }
          }
        }
      }
      queue.push([instance, at]);
    }
  };
  while (queue.length > 0 || instances.length > 0) {
    if (queue.length === 0) {
      probeInstances();
      continue;
    }
    const [value, path] = queue.shift();
    if (seen.has(value)) continue;
    seen.add(value);
    if (!fresh.has(value) && !Object.isFrozen(value)) found.push(path);
    visit(Object.getPrototypeOf(value), path + ".[[Prototype]]");
    if (fresh.has(value)) continue;
    for (const key of Reflect.ownKeys(value)) {
      const desc = Reflect.getOwnPropertyDescriptor(value, key);
      const name = path + "." + String(key);
      if ("value" in desc) visit(desc.value, name);
      if (desc.get) visit(desc.get, name + "(get)");
      if (desc.set) visit(desc.set, name + "(set)");
    }
    // Instances: construct what constructs, call what calls.
    if (typeof value === "function" && !probedFns.has(value)) {
      probedFns.add(value);
      for (const args of argSets()) {
        const made = tryIt(() => Reflect.construct(value, args));
        if (made !== undefined) instances.push([made, path + "(new)"]);
        const called = tryIt(() => Reflect.apply(value, undefined, args));
        if (called !== undefined) instances.push([called, path + "()"]);
      }
    }
  }
  return { found: found.slice(0, 20), walked: seen.size };
}
`;

const REGEXP = `
export function plant(db, args) {
  /(.+)/.exec(args.secret);
  try { RegExp.input = args.secret; } catch {}
  return true;
}
export function peek(db) {
  const seen = {};
  for (const name of ["input", "$_", "lastMatch", "$&", "lastParen", "$+", "leftContext", "rightContext", "$1", "$2"]) {
    try { seen[name] = RegExp[name]; } catch (e) { seen[name] = "refused"; }
  }
  return seen;
}
`;

describe("item 1: the realm", () => {
  it("freezes intrinsics reachable only through instances: what one episode plants there, no other reads", async () => {
    const host = shared(await compile(INTRINSICS));
    const [planter, reader] = [open(host, 1), open(host, 2)];
    const planted = planter.call("plant", { secret: "s3cret" });
    expect(planted).toEqual({ ok: true, result: [] });
    expect(reader.call("peek", {})).toEqual({
      ok: true,
      result: { helper: null, wrapper: null, segments: null, segmentIterator: null },
    });
    for (const env of [planter, reader]) env.close();
    host.close();
  });

  it("leaves nothing reachable from the global or from instances of built-ins unfrozen", async () => {
    const host = shared(await compile(UNFROZEN_WALK));
    const env = open(host, 1);
    const outcome = env.call("unfrozen", {});
    expect(outcome).toMatchObject({ ok: true, result: { found: [] } });
    expect((outcome as unknown as { result: { walked: number } }).result.walked).toBeGreaterThan(500);
    env.close();
    host.close();
  });

  it("keeps the legacy RegExp statics from carrying anything between episodes, or from the states loaded", async () => {
    const host = shared(await compile(REGEXP));
    const planter = open(host, 1, { items: { secret_key_in_state: { id: "x" } } });
    expect(planter.call("plant", { secret: "s3cret" })).toMatchObject({ ok: true });
    const reader = open(host, 2);
    const seen = reader.call("peek", {});
    expect(seen.ok).toBe(true);
    const text = JSON.stringify(seen);
    expect(text).not.toContain("s3cret");
    expect(text).not.toContain("secret_key_in_state");
    // Every static reads the same whatever ran before (nothing at all: they refuse).
    const values = Object.values((seen as unknown as { result: Record<string, unknown> }).result);
    expect(new Set(values)).toEqual(new Set(["refused"]));
    for (const env of [planter, reader]) env.close();
    host.close();
  });
});

// ---------------------------------------------------------------- item 2: handles bound to their slot and call

const KEEPER = `
let kept = null;
let keptRecord = null;
let keptView = null;
export function keep(db) { kept = db; keptRecord = db.items.base; db.items.kept = { id: "k" }; return true; }
export function keepView(db) { keptView = db.items; return Object.keys(db.items).length; }
export function useKept(db, args) {
  const out = {};
  try { kept.items[args.key] = { id: args.key }; out.root = "wrote"; } catch (e) { out.root = String(e.message); }
  try { out.record = keptRecord.id; } catch (e) { out.record = String(e.message); }
  try { out.view = Object.keys(keptView).length; } catch (e) { out.view = String(e.message); }
  return out;
}
`;

describe("item 2: handles a slot hands out", () => {
  it("refuse in a later call: the db, a record and a read view kept in module state", async () => {
    const host = shared(await compile(KEEPER));
    const env = open(host, 1);
    expect(env.call("keep", {})).toEqual({ ok: true, result: true });
    expect(env.call("keepView", {})).toMatchObject({ ok: true });
    const used = env.call("useKept", { key: "later" });
    expect(used).toMatchObject({ ok: true });
    const out = (used as unknown as { result: Record<string, string> }).result;
    for (const key of ["root", "record", "view"])
      expect(out[key]).toMatch(/^a database handle was used outside the (write|read) call it was given to$/);
    expect(env.call("read", { key: "later" })).toEqual({ ok: true, result: null });
    env.close();
    host.close();
  });

  it("refuse when another slot is live, and in that slot's own later calls (the database engine itself)", () => {
    const db = createDatabase();
    db.loadState(1, JSON.stringify({ items: { a: { id: "a", n: 1 } } }));
    db.startEpisode(1);
    const first = db.beginWrite() as { items: Record<string, unknown> };
    const record = first.items.a as { n: number };
    record.n = 2;
    db.commitWrite();
    db.endWrite(true);
    const parkedA = db.suspend();
    db.resume(undefined);
    db.startEpisode(1);
    const second = db.beginWrite() as { items: Record<string, unknown> };
    // Slot B's write call is open: A's handles refuse, and do not reach B's data.
    expect(() => {
      first.items.b = { id: "b" };
    }).toThrow(/outside the write call it was given to/);
    expect(() => record.n).toThrow(/outside the write call it was given to/);
    second.items.c = { id: "c" };
    db.commitWrite();
    db.endWrite(true);
    expect(JSON.parse(db.exportState())).toEqual({ items: { a: { id: "a", n: 1 }, c: { id: "c" } } });
    db.resume(parkedA);
    const again = db.beginWrite() as { items: Record<string, unknown> };
    expect(() => first.items.a).toThrow(/outside the write call it was given to/);
    expect((again.items.a as { n: number }).n).toBe(2);
    db.endWrite(false);
  });
});

// ---------------------------------------------------------------- item 3: engine jobs

const JOBS = `
let late = 0;
export function thenable(db, args) {
  Promise.resolve({ then(resolve) { late += 1; console.log("late line"); Math.random(); resolve(); } });
  if (args.refuse) throw new Error("refused after queueing a job");
  return late;
}
export function fromAsync(db) {
  Array.fromAsync({ length: 2, 0: 1, 1: 2 }, (x) => { late += 1; console.log("async line", x); return Math.random(); });
  return late;
}
export function asyncBody(db) {
  // No \`await\` (refused statically): an async generator's second step waits on its first.
  async function* steps() { yield 1; late += 1; console.log("after a step"); Math.random(); }
  const it = steps();
  it.next();
  it.next();
  return late;
}
export function rejects(db) {
  Promise.reject(new Error("nobody handles this"));
  return late;
}
export function count(db) {
  return { late, draw: Math.random() };
}
`;

describe("item 3: engine jobs", () => {
  it("run within their own call, never in another's: logs, random stream, module state", async () => {
    const module = await compile(JOBS);
    const host = shared(module);
    const [queuer, other] = [open(host, 1), open(host, 2)];
    const keys = ["k1", "k2", "k3"];
    const fresh = open(host, 2);
    const expected = keys.map((key) => fresh.call("add", { key, tags: [] }));
    for (const [i, tool] of ["thenable", "fromAsync", "asyncBody"].entries()) {
      const outcome = queuer.call(tool, {});
      expect(outcome.ok).toBe(true);
      // The other slot's next call sees nothing of it.
      expect(other.call("add", { key: keys[i], tags: [] })).toEqual(expected[i]);
    }
    // The jobs' lines came with their own calls, and each call's jobs ran before the next call.
    expect(queuer.call("count", {})).toMatchObject({ ok: true, result: { late: 4 } });
    expect(host.rebuilds).toBe(0);
    for (const env of [queuer, other, fresh]) env.close();
    host.close();
  });

  it("of a refused call change nothing: its random stream, its logs", async () => {
    const host = shared(await compile(JOBS));
    const env = open(host, 3);
    const refused = env.call("thenable", { refuse: true });
    expect(refused).toMatchObject({ ok: false, error: { code: "TOOL_ERROR", message: "refused after queueing a job" } });
    const after = env.call("count", {});
    const clean = open(host, 3);
    const baseline = clean.call("count", {});
    expect((after as unknown as { result: { draw: number } }).result.draw).toBe(
      (baseline as unknown as { result: { draw: number } }).result.draw,
    );
    expect(after).not.toHaveProperty("logs");
    env.close();
    clean.close();
    host.close();
  });

  it("give the same outcomes one call at a time and in one batch", async () => {
    const module = await compile(JOBS);
    const calls: ToolCall[] = ["thenable", "count", "fromAsync", "count", "asyncBody", "rejects", "count"].map((tool) => ({
      tool,
      arguments: {},
    }));
    const host = shared(module);
    const one = open(host, 4);
    const single = calls.map((call) => one.callText(call.tool, call.arguments));
    const batch = open(host, 4);
    expect(batch.callManyText(calls)).toEqual(single);
    // An unhandled rejection neither fails the call nor rebuilds the isolate its slot-mates share.
    expect(JSON.parse(single[5] as string)).toMatchObject({ ok: true });
    expect(host.rebuilds).toBe(0);
    for (const env of [one, batch]) env.close();
    host.close();
  });
});

// ---------------------------------------------------------------- item 4: what is committed is plain data

const EXOTIC = `
let traps = 0;
const sneaky = () => new Proxy({ id: "p", n: 1 }, {
  get(target, key) { traps += 1; Math.random(); if (key === "toJSON") return () => ({ id: "p", n: traps }); return target[key]; },
  ownKeys(target) { traps += 1; return Reflect.ownKeys(target); },
  getOwnPropertyDescriptor(target, key) { traps += 1; return Reflect.getOwnPropertyDescriptor(target, key); },
});
export function storeProxy(db) { db.items.p = sneaky(); return true; }
export function storeNested(db) { db.items.q = { id: "q", inner: sneaky() }; return true; }
export function storeThenRefuse(db) { db.items.r = sneaky(); return true; }
export function trapCount(db) { return traps; }
export function resultProxy(db) { return sneaky(); }
export function resultToJson(db) {
  let deep = { end: true };
  for (let i = 0; i < 500; i++) deep = { deep };
  return { toJSON() { return deep; } };
}
export function bigString(db, args) { return "x".repeat(args.n); }
export function rejectDeep(db) {
  let deep = { end: true };
  for (let i = 0; i < 100000; i++) deep = { deep };
  Promise.reject(deep);
  return true;
}
export function protoKey(db) {
  const record = JSON.parse('{"id": "x", "__proto__": {"admin": true}}');
  db.items.x = record;
  return true;
}
`;

describe("item 4: exotic objects", () => {
  it("are committed as plain copies: their traps never run again when the state is read", async () => {
    const host = shared(await compile(EXOTIC));
    const env = open(host, 1);
    expect(env.call("storeProxy", {})).toEqual({ ok: true, result: true });
    expect(env.call("storeNested", {})).toEqual({ ok: true, result: true });
    const traps = (env.call("trapCount", {}) as unknown as { result: number }).result;
    const hash = env.stateHash();
    expect(env.stateHash()).toBe(hash);
    const state = env.state();
    expect(state.items).toMatchObject({ p: { id: "p", n: 1 }, q: { id: "q", inner: { id: "p", n: 1 } } });
    expect(env.stateHash()).toBe(hash);
    expect(env.call("trapCount", {})).toEqual({ ok: true, result: traps });
    env.close();
    host.close();
  });

  it("never answer for a result: no toJSON, no own __proto__, no depth past the bound", async () => {
    const host = shared(await compile(EXOTIC));
    const env = open(host, 1);
    expect(env.call("resultProxy", {})).toEqual({ ok: true, result: { id: "p", n: 1 } });
    // Committed, then returned: what was copied, not what its toJSON says now.
    expect(env.call("storeProxy", {})).toEqual({ ok: true, result: true });
    expect(env.call("read", { key: "p" })).toEqual({ ok: true, result: { id: "p", n: 1 } });
    const toJson = env.call("resultToJson", {});
    expect(toJson).toMatchObject({ ok: false, error: { code: "INVALID_RESULT" } });
    expect(env.call("protoKey", {})).toMatchObject({ ok: false, error: { code: "INVALID_STATE", message: /__proto__/ } });
    // A string result is counted once against the limit: its text (quotes included) may fill it.
    const limit = 1 << 20;
    expect(env.call("bigString", { n: limit - 2 })).toMatchObject({ ok: true });
    expect(env.call("bigString", { n: limit - 1 })).toMatchObject({ ok: false, error: { code: "INVALID_RESULT", message: /too large/ } });
    // A rejection nobody handles, of a value 100,000 levels deep, crosses nothing.
    expect(env.call("rejectDeep", {})).toEqual({ ok: true, result: true });
    expect(host.rebuilds).toBe(0);
    env.close();
    host.close();
  });
});

// ---------------------------------------------------------------- item 5: depth of the state as a whole

const DEEPEN = `
export function deepen(db, args) {
  let node = db.deep.root;
  while (node.next) node = node.next;
  for (let i = 0; i < args.levels; i++) { node.next = { level: node.level + 1 }; node = node.next; }
  return node.level;
}
export function wrap(db, args) {
  db.deep = { root: { next: db.deep.root } };
  return true;
}
export function deepResult(db, args) {
  let node = { end: true };
  for (let i = 0; i < args.levels; i++) node = { node };
  return node;
}
`;

describe("item 5: depth", () => {
  it("holds for the state as a whole, whatever the history: the call that would pass it fails and is rolled back", async () => {
    const host = shared(await compile(DEEPEN));
    const env = open(host, 1);
    // db (1) › deep (2) › root (3): each level added is one more.
    expect(env.call("deepen", { levels: 40 })).toEqual({ ok: true, result: 40 });
    const hash = env.stateHash();
    const refused = env.call("deepen", { levels: 40 });
    expect(refused).toMatchObject({ ok: false, error: { code: "INVALID_STATE", message: new RegExp(`more than ${MAX_DEPTH} levels`) } });
    expect(env.stateHash()).toBe(hash);
    // The last level the bound allows, and not one more: 3 levels above root, 1 for root.
    expect(env.call("deepen", { levels: MAX_DEPTH - 3 - 40 })).toMatchObject({ ok: true });
    expect(env.call("deepen", { levels: 1 })).toMatchObject({ ok: false, error: { code: "INVALID_STATE" } });
    // Committed data moved deeper counts too.
    expect(env.call("wrap", {})).toMatchObject({ ok: false, error: { code: "INVALID_STATE" } });
    expect(JSON.stringify(env.state()).length).toBeGreaterThan(0);
    expect(env.call("deepResult", { levels: MAX_DEPTH - 1 })).toMatchObject({ ok: true });
    expect(env.call("deepResult", { levels: MAX_DEPTH })).toMatchObject({ ok: false, error: { code: "INVALID_RESULT" } });
    env.close();
    host.close();
  });

  it("keeps every message between processes within bounds: 26 calls of 95 levels crash nothing", async () => {
    const sandbox = await Sandbox.start({ processes: 1 });
    try {
      const env = await sandbox.open(await compile(DEEPEN), STATE);
      const outcomes = [];
      for (let i = 0; i < 26; i++) outcomes.push(await env.call("deepen", { levels: 95 }));
      expect(outcomes.every((o) => !o.ok && o.error.code === "INVALID_STATE")).toBe(true);
      expect(await env.state()).toEqual(STATE);
      expect(await env.call("read", { key: "base" })).toMatchObject({ ok: true });
      await env.close();
    } finally {
      await sandbox.close();
    }
  }, 30_000);
});

// ---------------------------------------------------------------- the property

const HOSTILE: { name: string; source: string; calls: ToolCall[] }[] = [
  {
    name: "intrinsics",
    source: INTRINSICS,
    calls: [
      { tool: "plant", arguments: { secret: "s1" } },
      { tool: "peek", arguments: {} },
    ],
  },
  {
    name: "RegExp statics",
    source: REGEXP,
    calls: [{ tool: "plant", arguments: { secret: "s2" } }],
  },
  {
    name: "kept handles",
    source: KEEPER,
    calls: [
      { tool: "keep", arguments: {} },
      { tool: "useKept", arguments: { key: "x" } },
    ],
  },
  {
    name: "engine jobs",
    source: JOBS,
    calls: ["thenable", "fromAsync", "asyncBody", "rejects"].map((tool) => ({ tool, arguments: {} })),
  },
  {
    name: "exotic objects",
    source: EXOTIC,
    calls: ["storeProxy", "resultProxy", "resultToJson", "protoKey"].map((tool) => ({ tool, arguments: {} })),
  },
  {
    name: "depth",
    source: DEEPEN,
    calls: [1, 2, 3].map(() => ({ tool: "deepen", arguments: { levels: 30 } })),
  },
];

describe("the property", () => {
  for (const hostile of HOSTILE) {
    it(`a fixed episode gives the same bytes alone, beside and after ${hostile.name}`, async () => {
      const module = await compile(hostile.source);
      const run = (env: Environment, calls: ToolCall[]) => calls.map((call) => env.callText(call.tool, call.arguments));
      const alone = (() => {
        const host = shared(module);
        const env = open(host, 7);
        const result = { outcomes: run(env, FIXED_EPISODE), hash: env.stateHash() };
        env.close();
        host.close();
        return result;
      })();
      // Beside: the hostile episode's calls interleaved with the fixed episode's.
      const host = shared(module);
      const attacker = open(host, 7);
      const fixed = open(host, 7);
      const beside: string[] = [];
      for (let i = 0; i < Math.max(FIXED_EPISODE.length, hostile.calls.length); i++) {
        const attack = hostile.calls[i];
        if (attack) attacker.callText(attack.tool, attack.arguments);
        const call = FIXED_EPISODE[i];
        if (call) beside.push(fixed.callText(call.tool, call.arguments));
      }
      expect(beside).toEqual(alone.outcomes);
      expect(fixed.stateHash()).toBe(alone.hash);
      // After: the hostile episode ran to its end, and the fixed one starts on the same isolate.
      attacker.reset();
      run(attacker, hostile.calls);
      attacker.close();
      fixed.reset();
      expect(run(fixed, FIXED_EPISODE)).toEqual(alone.outcomes);
      expect(fixed.stateHash()).toBe(alone.hash);
      fixed.close();
      host.close();
    });
  }
});
