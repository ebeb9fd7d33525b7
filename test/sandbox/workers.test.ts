import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CompiledModule, ModuleLoadError, Sandbox } from "../../sandbox/index.ts";

const SOURCE = `
export function add(db, args) { db.items[args.id] = { id: args.id }; return Object.keys(db.items).length; }
export function count(db) { return Object.keys(db.items).length; }
export function wait_forever(db) { for (;;) {} }
`;

let sandbox: Sandbox;
let module: CompiledModule;

beforeAll(async () => {
  sandbox = await Sandbox.start({ processes: 1, environment: { timeoutMs: 30_000 } });
  const compiled = await sandbox.compile(SOURCE, { tools: [{ name: "add" }, { name: "count", access: "read" }, { name: "wait_forever" }] });
  if (!compiled.ok) throw new Error("does not compile");
  module = compiled.module;
});
afterAll(async () => {
  await sandbox?.close();
});

describe("Sandbox (supervised processes)", () => {
  it("reports the call a dying process was running, replaces the process, and restores every environment on it", async () => {
    const victim = await sandbox.open(module, { items: {} });
    const bystander = await sandbox.open(module, { items: { x: { id: "x" } } });
    await victim.call("add", { id: "a" });
    await bystander.call("add", { id: "y" });
    const hashBefore = await victim.stateHash();
    const [pid] = sandbox.pids();
    const pending = victim.call("wait_forever", {});
    await new Promise((resolve) => setTimeout(resolve, 200));
    process.kill(pid as number, "SIGKILL");
    const outcome = await pending;
    expect(outcome).toMatchObject({ ok: false, error: { code: "INTERNAL" } });
    if (!outcome.ok)
      expect(outcome.error.message).toMatch(
        /the sandbox process died during the call \(sandbox process \d+ exited \(SIGKILL\)\); the state is as it was before the call/,
      );
    // The victim is rebuilt on the new process with its state as before the call.
    expect(await victim.stateHash()).toBe(hashBefore);
    expect(await victim.call("add", { id: "b" })).toEqual({ ok: true, result: 2 });
    // The bystander on the same process lost nothing either.
    expect(await bystander.call("count", {})).toEqual({ ok: true, result: 2 });
    expect(sandbox.pids()).not.toContain(pid);
    expect(sandbox.metrics()).toMatchObject({ process_crashes: 1 });
    await victim.close();
    await bystander.close();
  });

  it("keeps the calls of one environment in order while environments run concurrently", async () => {
    const envs = await Promise.all([1, 2, 3].map(() => sandbox.open(module, { items: {} })));
    const results = await Promise.all(envs.flatMap((env) => [1, 2, 3, 4].map((i) => env.call("add", { id: `k${i}` }))));
    expect(results.map((r) => (r.ok ? r.result : r.error.code))).toEqual([1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4]);
    await Promise.all(envs.map((env) => env.close()));
  });

  it("runs a whole episode in one message and reuses a closed environment's isolate", async () => {
    const env = await sandbox.open(module, { items: {} });
    const result = await env.runEpisode({
      state: { items: { z: { id: "z" } } },
      calls: [
        { tool: "add", arguments: { id: "a" } },
        { tool: "count", arguments: {} },
      ],
      exportState: true,
    });
    expect(result.outcomes).toEqual([
      { ok: true, result: 2 },
      { ok: true, result: 2 },
    ]);
    expect(result.state).toEqual({ items: { z: { id: "z" }, a: { id: "a" } } });
    expect(result.stateHash).toMatch(/^[0-9a-f]{64}$/);
    await env.close();
    const [before] = await sandbox.stats();
    const again = await sandbox.open(module, { items: {} });
    const [after] = await sandbox.stats();
    expect(after?.idle).toBe((before?.idle ?? 0) - 1);
    expect(await again.call("count", {})).toEqual({ ok: true, result: 0 });
    await again.close();
  });

  it("stats with collect report live sizes: garbage of many episodes is gone", async () => {
    const env = await sandbox.open(module, { items: {} });
    for (let i = 0; i < 300; i++) {
      await env.reset({ items: { [`k${i}`]: { id: `k${i}`, pad: "x".repeat(2000) } } });
      await env.call("add", { id: `n${i}` });
    }
    const [lazy] = await sandbox.stats();
    const [live] = await sandbox.stats({ collect: true });
    expect(live?.heapBytes).toBeLessThan(lazy?.heapBytes as number);
    expect(live?.rssBytes).toBeGreaterThan(0);
    await env.close();
  });

  it("rejects opening an environment on a state that is not a JSON object", async () => {
    await expect(sandbox.open(module, JSON.parse('{"items": {"__proto__": {}}}'))).rejects.toThrow(/__proto__/);
  });

  it("loads a module under the call's limits: a top-level loop, memory bomb or throw fails its open with the call's code, and the process serves the rest", async () => {
    const bystander = await sandbox.open(module, { items: {} });
    const hostile = {
      TIMEOUT: "while (true) {}\nexport function t() { return 1; }",
      MEMORY_LIMIT: "const hold = []; for (;;) hold.push(new Array(1000000).fill(1));\nexport function t() { return 1; }",
      TOOL_ERROR: 'throw new Error("no config");\nexport function t() { return 1; }',
    };
    for (const [code, source] of Object.entries(hostile)) {
      const compiled = await sandbox.compile(source, { tools: [{ name: "t" }] });
      if (!compiled.ok) throw new Error("does not compile");
      const started = performance.now();
      // The loop meets a short time limit; the bomb and the throw get a long one, so that on a loaded
      // machine the memory limit (not the clock) is what stops the bomb.
      const opening = sandbox.open(compiled.module, {}, { timeoutMs: code === "TIMEOUT" ? 300 : 5000, memoryMb: 16 });
      await expect(opening, code).rejects.toBeInstanceOf(ModuleLoadError);
      await expect(opening, code).rejects.toMatchObject({ code });
      // The limit is the call's, not a state operation's 30 s.
      expect(performance.now() - started, code).toBeLessThan(10_000);
      expect(await bystander.call("add", { id: code }), code).toMatchObject({ ok: true });
    }
    await bystander.close();
  });

  it("replaces a sandbox process killed while it starts, and starts", async () => {
    const children = () =>
      execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(process.pid)], { encoding: "utf8" })
        .split("\n")
        .filter((line) => line.includes("sandbox"))
        .map((line) => Number(line.trim().split(/\s+/)[0]));
    const before = new Set(children());
    const starting = Sandbox.start({ processes: 2 });
    let killed = 0;
    for (let i = 0; i < 200 && killed === 0; i++) {
      const fresh = children().filter((pid) => !before.has(pid));
      if (fresh[0]) {
        process.kill(fresh[0], "SIGKILL");
        killed = fresh[0];
      } else await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(killed).toBeGreaterThan(0);
    const started = await starting;
    try {
      expect(started.pids()).toHaveLength(2);
      expect(started.pids()).not.toContain(killed);
      expect(started.metrics().process_crashes).toBe(1);
      const env = await started.open(module, { items: {} });
      expect(await env.call("add", { id: "a" })).toMatchObject({ ok: true, result: 1 });
    } finally {
      await started.close();
    }
  });
});
