// A service's tasks on a small pack of our own (test/fixtures/packs/retail-small: 16 tools, 7 of
// them writes, 24 users, 48 orders; written by bench/support/retail-pack.ts --seed 3 --users 24
// --orders 48 --products 10): every write tool covered, flows of several calls, instructions with
// no parameter names or internal ids, base states stored once and resolved by their hash, and a
// tasks stage killed mid-way that resumes to the same bytes.
import { spawn } from "node:child_process";
import { cpSync, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { JsonObject } from "../../../kernel/canonical-json.ts";
import type { DomainState } from "../../../lib/contracts/domain-state.ts";
import type { Task, TaskLint } from "../../../lib/contracts/task.ts";
import { loadRun, storedModule } from "../../../lib/episodes/run-directory.ts";
import { applyStatePatch, baseStateHash, initialStateOf, readTaskStates } from "../../../lib/task-states/index.ts";
import { recital } from "../../../plugins/tasks/lint.ts";
import { Sandbox } from "../../../sandbox/index.ts";
import { cliEntry, fixtures, runCli, tempDir } from "../../support/helpers.ts";

const pack = join(fixtures, "packs", "retail-small");
const args = (out: string) => [
  "run",
  join(pack, "tools.json"),
  "--data",
  join(pack, "data"),
  "--policy",
  join(pack, "policy.md"),
  "--out",
  out,
  "--tasks",
  "60",
  "--seed",
  "5",
];
const lines = (text: string) => text.split("\n").filter(Boolean);

let out: string;
let tasks: Task[];
let lint: TaskLint;

beforeAll(async () => {
  out = tempDir("envscale-service-tasks-");
  const result = await runCli(args(out), { timeoutMs: 240_000 });
  expect(result.code, result.stderr).toBe(0);
  tasks = lines(readFileSync(join(out, "tasks.jsonl"), "utf8")).map((l) => JSON.parse(l) as Task);
  lint = JSON.parse(readFileSync(join(out, "task-lint.json"), "utf8")) as TaskLint;
}, 300_000);

describe("a service's tasks", () => {
  it("cover every write tool, chain several calls, and report coverage and diversity in task-lint.json", () => {
    expect(tasks.length).toBe(60);
    const coverage = lint.coverage?.["retail-small"];
    expect(coverage).toBeDefined();
    const writes = coverage?.write_tools.all ?? [];
    expect(writes.length).toBe(7);
    expect(coverage?.write_tools.missing).toEqual([]);
    const used = new Set(tasks.flatMap((t) => t.gold_calls.map((c) => c.tool)));
    for (const tool of writes) expect(used, tool).toContain(tool);
    expect(tasks.reduce((sum, t) => sum + t.gold_calls.length, 0) / tasks.length).toBeGreaterThanOrEqual(4);
    expect(coverage?.flows.distinct).toBeGreaterThan(5);
    expect(coverage?.instructions.distinct).toBe(tasks.length);
    // Some tasks make several changes; some ask first for what the policy refuses.
    expect(tasks.some((t) => t.gold_calls.filter((c) => writes.includes(c.tool)).length >= 2)).toBe(true);
    expect(tasks.some((t) => /instead|settle for/.test(t.instruction))).toBe(true);
    // No two tasks make the same calls.
    expect(new Set(tasks.map((t) => JSON.stringify(t.gold_calls))).size).toBe(tasks.length);
  });

  it("speak as a person would: no parameter names, no ids kept inside records, every request with what to do if refused", () => {
    const state = JSON.parse(readFileSync(join(out, "states", `${tasks[0]?.base_state}.json`), "utf8")) as DomainState;
    for (const task of tasks) {
      expect(recital(task.instruction, task.gold_calls, state), task.instruction).toBeNull();
      expect(task.instruction).not.toMatch(/_id|item ids|address 1|payment method id/i);
      if (!task.read_only) expect(task.instruction).toMatch(/can't|isn't|not possible|instead|settle/i);
    }
    // The lint catches both kinds of recital.
    const order = Object.values(state.orders ?? {}).find((o) => Array.isArray(o.items) && o.items.length > 0) as Record<string, unknown>;
    const item = (order.items as { item_id: string }[])[0]?.item_id as string;
    const calls = [{ arguments: { order_id: order.order_id as string, item_ids: [item], payment_method_id: "x" } }];
    expect(recital(`Please return order ${order.order_id}, the payment method id is x.`, calls, state)).toMatch(/payment_method_id/);
    expect(recital(`Please return item ${item} of order ${order.order_id}.`, calls, state)).toMatch(/an id kept inside a record/);
    expect(recital(`Please return the blue shirt of my order ${order.order_id}.`, calls, state)).toBeNull();
  });

  it("store each base state once under its hash, and a task's state is its base with its patch, hashing as the task says", async () => {
    const files = readdirSync(join(out, "states"));
    expect(files).toEqual([`${tasks[0]?.base_state}.json`]);
    for (const task of tasks) expect(task.initial_state).toBeUndefined();
    const base = JSON.parse(readFileSync(join(out, "states", files[0] as string), "utf8")) as DomainState;
    expect(baseStateHash(base)).toBe(tasks[0]?.base_state);
    // A task's line holds its own changes only: far smaller than the data.
    expect(statSync(join(out, "tasks.jsonl")).size / tasks.length).toBeLessThan(10_000);

    const run = await loadRun(out);
    const sandbox = await Sandbox.start({ processes: 1 });
    try {
      const module = await storedModule(run, "retail-small");
      if (!module) throw new Error("the run has no stored module");
      for (const task of run.tasks.slice(0, 5)) {
        const env = await sandbox.open(module, initialStateOf(task, run.states), { clock: task.clock, seed: task.seed });
        const start = await env.runEpisode({ calls: [] });
        const gold = await env.runEpisode({ calls: task.gold_calls });
        await env.close();
        expect(start.stateHash).toBe(task.initial_state_hash);
        expect(gold.stateHash).toBe(task.gold_state_hash);
      }
    } finally {
      await sandbox.close();
    }

    // A patch adds and removes records and leaves the base as it was; the reader finds bases by hash.
    const patched = applyStatePatch(base, {
      orders: { "#W9999999": { order_id: "#W9999999" } },
      users: { [Object.keys(base.users ?? {})[0] as string]: null },
    });
    expect(Object.keys(patched.orders ?? {}).length).toBe(Object.keys(base.orders ?? {}).length + 1);
    expect(Object.keys(patched.users ?? {}).length).toBe(Object.keys(base.users ?? {}).length - 1);
    expect(patched.products).toBe(base.products);
    expect(base.orders?.["#W9999999"]).toBeUndefined();
    const states = await readTaskStates(out, tasks);
    expect(initialStateOf({ id: "t", base_state: tasks[0]?.base_state, state_patch: {} }, states)).toEqual(base as JsonObject);
    expect(() => initialStateOf({ id: "t", base_state: "0".repeat(24) }, states)).toThrow(/not among the run's states/);
    await expect(readTaskStates(tempDir(), tasks)).rejects.toThrow(/cannot be read/);
  });

  it("keep finished chunks across a kill: the re-run resumes them and ends with the same bytes", async () => {
    const killed = tempDir("envscale-service-tasks-killed-");
    cpSync(out, killed, { recursive: true });
    const journal = join(killed, ".work", "tasks");
    const journaled = () =>
      existsSync(journal) ? readdirSync(journal).reduce((n, f) => n + lines(readFileSync(join(journal, f), "utf8")).length, 0) : 0;
    const child = spawn(process.execPath, [cliEntry, ...args(killed), "--from", "tasks", "--concurrency", "1"], { stdio: "ignore" });
    const exited = new Promise((resolve) => child.on("exit", resolve));
    const deadline = Date.now() + 120_000;
    while (journaled() < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    child.kill("SIGKILL");
    await exited;
    expect(journaled()).toBeGreaterThanOrEqual(1);
    const resumed = await runCli(args(killed), { timeoutMs: 240_000 });
    expect(resumed.code, resumed.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(killed, "manifest.json"), "utf8"));
    expect(manifest.stages.tasks.items.resumed).toBeGreaterThanOrEqual(1);
    expect(readFileSync(join(killed, "tasks.jsonl"), "utf8")).toBe(readFileSync(join(out, "tasks.jsonl"), "utf8"));
    expect(readFileSync(join(killed, "task-lint.json"), "utf8")).toBe(readFileSync(join(out, "task-lint.json"), "utf8"));
  }, 300_000);
});
