// Hostile tool code: every case asserts its exact outcome, then checks that the state is untouched
// and that the same pool of sandbox processes still serves normal calls correctly.
import ivm from "isolated-vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canonicalStringify, type JsonObject, sha256 } from "../../kernel/canonical-json.ts";
import { type CallOutcome, Sandbox, type SandboxEnvironment, type ToolDeclaration } from "../../sandbox/index.ts";
import { COLLECTOR_GLOBAL } from "../../sandbox/shared/collector.ts";

const STATE: JsonObject = { items: { a: { id: "a", n: 1, tags: ["x"] } }, list: [1, 2, 3] };
const STATE_HASH = sha256(canonicalStringify(STATE));
const NORMAL = `
export function normal(db, args) { db.items[args.id] = { id: args.id, n: args.n, tags: [] }; return Object.keys(db.items).length; }
export function read(db, args) { return db.items[args.id] ?? null; }`;

let sandbox: Sandbox;
let canary: SandboxEnvironment;
let canaryCount = 1;

beforeAll(async () => {
  sandbox = await Sandbox.start({ processes: 2, environment: { timeoutMs: 250, memoryMb: 32 } });
  const compiled = await sandbox.compile(NORMAL, { tools: [{ name: "normal" }, { name: "read", access: "read" }] });
  if (!compiled.ok) throw new Error("canary module does not compile");
  canary = await sandbox.open(compiled.module, STATE);
});
afterAll(async () => {
  await sandbox?.close();
});

interface Case {
  name: string;
  /** Body of `probe(db, args)`. */
  body: string;
  /** Extra module-level code. */
  prelude?: string;
  access?: "read" | "write";
  code: string;
  message?: string | RegExp;
  thrown?: string;
  /** The expected result when the probe succeeds. */
  result?: unknown;
  /** A time limit for cases that must reach another limit first (memory). */
  timeoutMs?: number;
}

const cases: Case[] = [
  // ---- escapes
  {
    name: "constructor chain to Function",
    body: `return ({}).constructor.constructor("return process")();`,
    code: "TOOL_ERROR",
    message: "code generation from strings is disabled in the sandbox",
    thrown: "TypeError",
  },
  {
    name: "function constructor from a function",
    body: `return (function () {}).constructor("return this")();`,
    code: "TOOL_ERROR",
    message: "code generation from strings is disabled in the sandbox",
  },
  {
    name: "async function constructor",
    body: `return (async () => {}).constructor("return 1");`,
    code: "TOOL_ERROR",
    message: "code generation from strings is disabled in the sandbox",
  },
  {
    name: "generator function constructor",
    body: `return Object.getPrototypeOf(function* () {}).constructor("yield 1");`,
    code: "TOOL_ERROR",
    message: "code generation from strings is disabled in the sandbox",
  },
  {
    name: "this of a tool is not the global",
    body: `return (function () { return this; })()?.constructor ?? "strict";`,
    code: "OK",
    result: "strict",
  },
  {
    name: "Error.prepareStackTrace to reach call sites",
    body: `Error.prepareStackTrace = (e, frames) => frames; return new Error().stack;`,
    code: "TOOL_ERROR",
    message: "Cannot add property prepareStackTrace, object is not extensible",
    thrown: "TypeError",
  },
  {
    name: "polluting Object.prototype",
    body: `Object.prototype.isAdmin = true; return 1;`,
    code: "TOOL_ERROR",
    message: /object is not extensible/,
  },
  {
    name: "replacing Array.prototype.push",
    body: `Array.prototype.push = () => 0; return 1;`,
    code: "TOOL_ERROR",
    message: /read[- ]only property 'push'/,
  },
  { name: "stashing on globalThis", body: `globalThis.stash = db; return 1;`, code: "TOOL_ERROR", message: /object is not extensible/ },
  {
    name: "Proxy result whose traps throw",
    body: `return new Proxy({}, { ownKeys() { throw new Error("trap"); } });`,
    code: "INVALID_RESULT",
    message: "the result could not be read: trap",
  },
  {
    name: "Proxy result with a getter",
    body: `return new Proxy({}, { ownKeys: () => ["a"], getOwnPropertyDescriptor: () => ({ get: () => 1, enumerable: true, configurable: true }) });`,
    code: "INVALID_RESULT",
    message: "result.a: a getter or setter is not JSON",
  },
  {
    name: "Proxy result that answers differently to each trap",
    body: `return new Proxy({}, { ownKeys: () => ["a"], getOwnPropertyDescriptor: () => ({ value: 1, writable: true, enumerable: true, configurable: true }) });`,
    code: "OK",
    result: { a: 1 },
  },
  {
    name: "Array subclass as result",
    body: `class Evil extends Array {} return Evil.from([1, 2]);`,
    code: "INVALID_RESULT",
    message: "result: an instance of Evil is not JSON",
  },
  {
    name: "Symbol.species turning map() into something else",
    body: `class Evil extends Array { static get [Symbol.species]() { return Object; } } return Evil.from([1, 2]).map((x) => x);`,
    code: "INVALID_RESULT",
    message: "result: a Number object is not JSON",
  },
  {
    name: "getter in a result",
    body: `return { get secret() { return 42; } };`,
    code: "INVALID_RESULT",
    message: "result.secret: a getter or setter is not JSON",
  },
  {
    name: "thenable result",
    body: `return { then(resolve) { resolve(1); } };`,
    code: "INVALID_RESULT",
    message: "result.then: a function is not JSON",
  },
  {
    name: "Promise result",
    body: `return Promise.resolve(1);`,
    code: "INVALID_RESULT",
    message: "result: a Promise (tools must be synchronous) is not JSON",
  },
  {
    name: "promise continuation after the call",
    body: `Promise.resolve().then(() => { db.items.z = { id: "z" }; }); return 1;`,
    code: "TOOL_ERROR",
    message: "promises cannot be awaited in the sandbox: tools are synchronous",
  },
  {
    name: "throwing a non-Error with a hostile toString",
    body: `throw { toString() { throw new Error("gotcha"); } };`,
    code: "TOOL_ERROR",
    message: "(the thrown value could not be turned into a message)",
    thrown: "Error",
  },
  { name: "throwing a string", body: `throw "plain string";`, code: "TOOL_ERROR", message: "plain string", thrown: "string" },
  {
    name: "throwing a Proxy whose traps throw",
    body: `throw new Proxy({}, { get() { throw 1; }, getOwnPropertyDescriptor() { throw 1; } });`,
    code: "TOOL_ERROR",
    message: "(the thrown value could not be turned into a message)",
  },
  { name: "a huge error message is cut", body: `throw new Error("x".repeat(100000));`, code: "TOOL_ERROR", message: "x".repeat(2000) },
  // ---- host probing (names built at run time get past the static checks)
  { name: "process", body: `return typeof globalThis["pro" + "cess"];`, code: "OK", result: "undefined" },
  {
    name: "require",
    body: `return globalThis["req" + "uire"]("fs");`,
    code: "TOOL_ERROR",
    message: /is not a function/,
    thrown: "TypeError",
  },
  { name: "fetch", body: `return typeof globalThis["fe" + "tch"];`, code: "OK", result: "undefined" },
  {
    name: "the garbage collector (the sandbox process's, or gc)",
    body: `return [typeof globalThis["__envscale_" + "collect"], typeof globalThis["g" + "c"]];`,
    code: "OK",
    result: ["undefined", "undefined"],
  },
  { name: "WebAssembly", body: `return typeof globalThis["Web" + "Assembly"];`, code: "OK", result: "undefined" },
  {
    name: "SharedArrayBuffer and Atomics.wait",
    body: `const S = globalThis["Shared" + "ArrayBuffer"]; const A = globalThis["Ato" + "mics"]; return A.wait(new Int32Array(new S(8)), 0, 0, 10000);`,
    code: "TOOL_ERROR",
    message: "Cannot read properties of undefined (reading 'wait')",
    thrown: "TypeError",
  },
  {
    name: "timers",
    body: `return [typeof globalThis["set" + "Timeout"], typeof globalThis["set" + "Interval"], typeof globalThis["queue" + "Microtask"]];`,
    code: "OK",
    result: ["undefined", "undefined", "undefined"],
  },
  { name: "eval", body: `return globalThis["ev" + "al"]("1 + 1");`, code: "TOOL_ERROR", thrown: "TypeError" },
  {
    name: "WeakRef and FinalizationRegistry",
    body: `return [typeof globalThis["Weak" + "Ref"], typeof globalThis["Finalization" + "Registry"]];`,
    code: "OK",
    result: ["undefined", "undefined"],
  },
  {
    name: "performance and crypto clocks",
    body: `return [typeof globalThis["perfor" + "mance"], typeof globalThis["cry" + "pto"]];`,
    code: "OK",
    result: ["undefined", "undefined"],
  },
  // ---- exhaustion
  {
    name: "infinite loop",
    body: `for (;;) {}`,
    code: "TIMEOUT",
    message: "the call ran past its limit of 250 ms; the state is as it was before the call",
  },
  { name: "infinite loop after a write", body: `db.items.z = { id: "z" }; for (;;) {}`, code: "TIMEOUT" },
  { name: "catastrophic regex", body: `return /(a+)+$/.test("a".repeat(40) + "b");`, code: "TIMEOUT" },
  {
    name: "memory bomb",
    body: `const hold = []; for (;;) hold.push(new Array(1000000).fill({ x: 1 }));`,
    code: "MEMORY_LIMIT",
    message: "the call ran past the memory limit of 32 MB; the state is as it was before the call",
    timeoutMs: 10000,
  },
  {
    name: "string doubling",
    body: `let s = "x"; for (;;) s += s;`,
    code: "TOOL_ERROR",
    message: "Invalid string length",
    thrown: "RangeError",
  },
  {
    name: "string doubling, flattened",
    body: `let s = "xy"; for (let i = 0; i < 40; i++) { s += s; s.indexOf("z"); } return s.length;`,
    code: "MEMORY_LIMIT",
    timeoutMs: 10000,
  },
  {
    name: "a gigabyte ArrayBuffer",
    body: `return new ArrayBuffer(1e9).byteLength;`,
    code: "TOOL_ERROR",
    message: "Array buffer allocation failed",
    thrown: "RangeError",
  },
  {
    name: "deep recursion",
    body: `const f = (n) => f(n + 1) + 1; return f(0);`,
    code: "TOOL_ERROR",
    message: "Maximum call stack size exceeded",
    thrown: "RangeError",
  },
  { name: "huge string result", body: `return "x".repeat(2000000);`, code: "INVALID_RESULT", message: "result: too large" },
  { name: "huge array result", body: `return new Array(600000).fill(1);`, code: "INVALID_RESULT", message: "result: too large" },
  {
    name: "console flood is capped",
    body: `for (let i = 0; i < 100000; i++) console.log("line", i); return "done";`,
    code: "OK",
    result: "done",
  },
  // ---- non-determinism
  { name: "Math.random is seeded", body: `return [Math.random(), Math.random()];`, code: "OK", result: "SEEDED" },
  {
    name: "Date reads the task clock",
    body: `return [Date.now(), new Date().toISOString(), String(new Date(0).getTime())];`,
    code: "OK",
    result: [1735722000000, "2025-01-01T09:00:00.000Z", "0"],
  },
  {
    name: "Intl formatting without a date reads the task clock",
    body: `return new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", dateStyle: "short" }).format();`,
    code: "OK",
    result: "01/01/2025",
  },
  // ---- bad results
  {
    name: "cyclic result",
    body: `const o = {}; o.self = o; return o;`,
    code: "INVALID_RESULT",
    message: "result.self: a cycle is not JSON",
  },
  { name: "function in a result", body: `return { f() {} };`, code: "INVALID_RESULT", message: "result.f: a function is not JSON" },
  {
    name: "BigInt in a result",
    body: `return { n: 10n };`,
    code: "INVALID_RESULT",
    message: "result.n: a BigInt is not JSON (use a number or a string)",
  },
  { name: "NaN in a result", body: `return [1, NaN];`, code: "INVALID_RESULT", message: "result[1]: NaN is not a JSON number" },
  {
    name: "__proto__ key in a result",
    body: `return JSON.parse('{"__proto__": {"admin": true}}');`,
    code: "INVALID_RESULT",
    message: 'result.__proto__: the key "__proto__" is not allowed',
  },
  // ---- bad states (each must leave the database as it was)
  {
    name: "cycle written to the database",
    body: `const o = { id: "c" }; o.self = o; db.items.c = o; return 1;`,
    code: "INVALID_STATE",
    message: "the tool left the database invalid at db.items.c.self: a cycle is not JSON",
  },
  {
    name: "function written to the database",
    body: `db.items.a.hook = () => 1; return 1;`,
    code: "INVALID_STATE",
    message: "the tool left the database invalid at db.items.a.hook: a function is not JSON",
  },
  {
    name: "BigInt written to the database",
    body: `db.items.b = { id: "b", n: 2n }; return 1;`,
    code: "INVALID_STATE",
    message: /db\.items\.b\.n: a BigInt is not JSON/,
  },
  {
    name: "NaN written to the database",
    body: `db.items.a.n = 0 / 0; return 1;`,
    code: "INVALID_STATE",
    message: "the tool left the database invalid at db.items.a.n: NaN is not a JSON number",
  },
  {
    name: "__proto__ key written to the database",
    body: `db.items.p = JSON.parse('{"__proto__": {"admin": true}}'); return 1;`,
    code: "INVALID_STATE",
    message: /db\.items\.p\.__proto__: the key "__proto__" is not allowed/,
  },
  {
    name: "getter left in the database",
    body: `db.items.g = { id: "g", get n() { return Math.random(); } }; return 1;`,
    code: "INVALID_STATE",
    message: "the tool left the database invalid at db.items.g.n: a getter or setter is not JSON",
  },
  {
    name: "getter defined on a record",
    body: `Object.defineProperty(db.items.a, "n", { get: () => 2 }); return 1;`,
    code: "TOOL_ERROR",
    thrown: "TypeError",
  },
  {
    name: "Date written to the database",
    body: `db.items.a.when = new Date(); return 1;`,
    code: "INVALID_STATE",
    message: /db\.items\.a\.when: a Date \(store date\.toISOString\(\)\) is not JSON/,
  },
  {
    name: "Map written to the database",
    body: `db.items.m = new Map(); return 1;`,
    code: "INVALID_STATE",
    message: "the tool left the database invalid at db.items.m: a Map is not JSON",
  },
  { name: "hole punched in an array table", body: `db.list[10] = 4; return 1;`, code: "TOOL_ERROR", thrown: "TypeError" },
  { name: "freezing a table", body: `Object.freeze(db.items); return 1;`, code: "TOOL_ERROR", thrown: "TypeError" },
  {
    name: "writes then a throw are undone",
    body: `db.items.a.n = 99; db.items.z = { id: "z" }; db.list.push(4); throw new Error("changed my mind");`,
    code: "TOOL_ERROR",
    message: "changed my mind",
    thrown: "Error",
  },
  {
    name: "a read-only tool writing",
    body: `db.items.a.n = 2; return 1;`,
    access: "read",
    code: "TOOL_ERROR",
    message: /Cannot assign to read only property 'n'/,
  },
  { name: "a read-only tool adding a table", body: `db.extra = {}; return 1;`, access: "read", code: "TOOL_ERROR", thrown: "TypeError" },
  {
    name: "a database handle kept past its call",
    prelude: `let kept = null;\nexport function misuse(db) { kept.items.z = { id: "z" }; return "wrote"; }`,
    body: `kept = db; return "kept";`,
    code: "OK",
    result: "kept",
  },
];

async function openProbe(c: Case): Promise<{ env: SandboxEnvironment; tools: ToolDeclaration[] }> {
  const tools: ToolDeclaration[] = [{ name: "probe", access: c.access ?? "write" }, { name: "normal" }, { name: "read", access: "read" }];
  if (c.prelude?.includes("function misuse")) tools.push({ name: "misuse", access: "read" });
  const compiled = await sandbox.compile(`${c.prelude ?? ""}\nexport function probe(db, args) { ${c.body} }\n${NORMAL}`, { tools });
  if (!compiled.ok) throw new Error(`${c.name}: ${compiled.findings.map((f) => f.message).join("; ")}`);
  return { env: await sandbox.open(compiled.module, STATE, { seed: 7, ...(c.timeoutMs ? { timeoutMs: c.timeoutMs } : {}) }), tools };
}

function check(c: Case, outcome: CallOutcome) {
  if (c.code === "OK") {
    expect(outcome.ok, JSON.stringify(outcome)).toBe(true);
    if (outcome.ok && c.result !== "SEEDED") expect(outcome.result).toEqual(c.result);
    return;
  }
  expect(outcome.ok, JSON.stringify(outcome)).toBe(false);
  if (outcome.ok) return;
  expect(outcome.error.code).toBe(c.code);
  if (typeof c.message === "string") expect(outcome.error.message).toBe(c.message);
  else if (c.message) expect(outcome.error.message).toMatch(c.message);
  if (c.thrown) expect(outcome.error.thrown).toBe(c.thrown);
}

describe("hostile tool code", () => {
  it("has at least 40 distinct cases", () => {
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  for (const c of cases) {
    it(`${c.name}: ${c.code}`, async () => {
      const { env } = await openProbe(c);
      const outcome = await env.call("probe", {});
      check(c, outcome);
      // A failed call leaves the database as it was.
      if (c.code !== "OK") expect(await env.stateHash()).toBe(STATE_HASH);
      // The same environment, and the pool, go on serving normal calls.
      expect(await env.call("normal", { id: "b", n: 2 })).toEqual({ ok: true, result: 2 });
      expect(await env.call("read", { id: "b" })).toEqual({ ok: true, result: { id: "b", n: 2, tags: [] } });
      canaryCount += 1;
      expect(await canary.call("normal", { id: `k${canaryCount}`, n: canaryCount })).toEqual({ ok: true, result: canaryCount });
      await env.close();
    });
  }

  it("keeps a console flood to 100 lines", async () => {
    const c = cases.find((k) => k.name === "console flood is capped") as Case;
    const { env } = await openProbe(c);
    const outcome = await env.call("probe", {});
    expect(outcome.logs).toHaveLength(100);
    expect(outcome.logs?.[99]).toBe("line 99");
    await env.close();
  });

  it("gives Math.random the same stream for the same seed, a different one for another", async () => {
    const c = cases.find((k) => k.name === "Math.random is seeded") as Case;
    const { env } = await openProbe(c);
    const first = await env.call("probe", {});
    await env.reset(undefined, { seed: 7 });
    expect(await env.call("probe", {})).toEqual(first);
    await env.reset(undefined, { seed: 8 });
    expect(await env.call("probe", {})).not.toEqual(first);
    await env.close();
  });

  it("makes a write handle kept in module state inert outside write calls, and module state does not outlive the episode", async () => {
    const c = cases.find((k) => k.name === "a database handle kept past its call") as Case;
    const { env } = await openProbe(c);
    expect(await env.call("probe", {})).toEqual({ ok: true, result: "kept" });
    // A read tool using the kept write handle: refused, nothing written.
    const misuse = await env.call("misuse", {});
    expect(misuse).toMatchObject({
      ok: false,
      error: { code: "TOOL_ERROR", message: "a database handle was used outside the write call it was given to" },
    });
    expect(await env.stateHash()).toBe(STATE_HASH);
    // After a reset the module is instantiated afresh: `kept` is null again.
    await env.reset();
    expect(await env.call("misuse", {})).toMatchObject({
      ok: false,
      error: { code: "TOOL_ERROR", thrown: "TypeError", message: "Cannot read properties of null (reading 'items')" },
    });
    await env.close();
  });

  it("exposes exactly the standard globals, minus code generation, shared memory, WebAssembly and GC hooks", async () => {
    const compiled = await sandbox.compile(`export function names() { return Object.getOwnPropertyNames(globalThis).sort(); }`);
    if (!compiled.ok) throw new Error("does not compile");
    const env = await sandbox.open(compiled.module, {});
    const outcome = await env.call("names", {});
    const isolate = new ivm.Isolate({ memoryLimit: 16 });
    const fresh = (await isolate.createContext()).evalSync("Object.getOwnPropertyNames(globalThis)", { copy: true }) as string[];
    isolate.dispose();
    const removed = ["eval", "SharedArrayBuffer", "Atomics", "WebAssembly", "WeakRef", "FinalizationRegistry"];
    // A fresh context has V8's own (inert) console; ours replaces it, so the name is the same. The
    // sandbox process's collector stays as a name (V8 makes it non-configurable) holding undefined.
    expect(outcome).toEqual({ ok: true, result: [...fresh.filter((n) => !removed.includes(n)), COLLECTOR_GLOBAL].sort() });
    await env.close();
  });
});

describe("static checks of hostile modules", () => {
  const findings = async (source: string) => {
    const compiled = await sandbox.compile(source);
    return compiled.ok ? [] : compiled.findings.filter((f) => f.severity === "error").map((f) => `${f.rule} ${f.line}:${f.column}`);
  };
  it("refuses node builtins, packages, require, dynamic import, import.meta and top-level await with their locations", async () => {
    expect(await findings(`import fs from "node:fs";\nexport function t() { return fs; }`)).toContain("forbidden-import 1:1");
    expect(await findings(`import _ from "lodash";\nexport function t() { return _; }`)).toContain("forbidden-import 1:1");
    expect(await findings(`export function t() { return require("fs"); }`)).toContain("forbidden-global 1:30");
    expect(await findings(`export function t() { return import("fs"); }`)).toContain("dynamic-import 1:30");
    expect(await findings(`export function t() { return import.meta.url; }`)).toContain("import-meta 1:30");
    expect((await findings(`await 1;\nexport function t() {}`)).length).toBeGreaterThan(0);
  });
  it("refuses forbidden globals by name, but not properties or local variables of that name", async () => {
    expect(await findings(`export function t() { return process.env; }`)).toEqual(["forbidden-global 1:30"]);
    expect(await findings(`export function t() { setTimeout(() => 1, 1); }`)).toEqual(["forbidden-global 1:23"]);
    expect(await findings(`export function t(db) { const fetch = db.fetch; return { process: fetch, eval: db.eval }; }`)).toEqual([]);
    // Types are erased: a record type named like a global is not the global.
    expect(
      await findings(
        `interface Function { name: string } type Atomics = Function[]; export function t(db: { f: Function }): Atomics { return [db.f]; }`,
      ),
    ).toEqual([]);
    expect(await findings(`interface X { a: number } export function t() { return Function("return 1")(); }`)).toEqual([
      "forbidden-global 1:56",
    ]);
    // A name spelled with escapes is the same name; a word in a doc comment is not code.
    expect(await findings(`export function t() { return \\u0070rocess.env; }`)).toEqual(["forbidden-global 1:30"]);
    expect(await findings(`/** @param process what to run */\nexport function t(db, args) { return args; }`)).toEqual([]);
  });
});
