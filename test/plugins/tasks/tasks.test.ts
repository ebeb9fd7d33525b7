// The tasks stage on an offline run of the example catalog: the tasks kept, their instructions, and task lint.
import { describe, expect, it } from "vitest";
import type { JsonObject } from "../../../kernel/canonical-json.ts";
import type { DomainSchema } from "../../../lib/contracts/domain-schema.ts";
import type { DomainState } from "../../../lib/contracts/domain-state.ts";
import type { Task, TaskLint } from "../../../lib/contracts/task.ts";
import { environmentModels } from "../../../lib/episodes/environment-module.ts";
import { lintTask } from "../../../plugins/tasks/lint.ts";
import { exampleWorkbench } from "../../support/example.ts";

const example = exampleWorkbench();

describe("tasks", () => {
  it("keeps tasks on every domain, each with the promised fields and a state the gold calls change", () => {
    const lint = example.run.json<TaskLint>("task-lint.json");
    expect(example.bench.tasks.length).toBe(lint.kept);
    expect(new Set(example.bench.tasks.map((t) => t.domain)).size).toBe(5);
    for (const task of example.bench.tasks) {
      expect(task.id).toMatch(new RegExp(`^${task.domain}-\\d{3}$`));
      expect(task.instruction.length).toBeGreaterThan(10);
      expect(task.gold_calls.length).toBeGreaterThan(0);
      expect(task.initial_state_hash).toMatch(/^[0-9a-f]{64}$/);
      if (!task.read_only) expect(task.gold_state_hash).not.toBe(task.initial_state_hash);
      else expect(task.gold_state_hash).toBe(task.initial_state_hash);
      for (const d of task.distractors) expect(example.bench.initial(task)[d.table]?.[d.key]).toBeDefined();
    }
    expect(example.bench.tasks.some((t) => t.read_only)).toBe(true);
    expect(example.bench.tasks.some((t) => t.feeds.length > 0)).toBe(true);
    expect(example.bench.tasks.some((t) => t.distractors.length > 0)).toBe(true);
    expect(example.bench.tasks.some((t) => t.chain.expanded.length > 0)).toBe(true);
  });

  it("fed arguments are not stated in the rule-written instruction; stated ones are", () => {
    // The first call's text arguments are never fed (nothing comes before it): the user states them.
    const statedText = (t: Task) => Object.values(t.gold_calls[0]?.arguments ?? {}).find((v) => typeof v === "string");
    const task = example.bench.tasks.find(
      (t) => t.feeds.some((f) => typeof t.gold_calls[f.call]?.arguments[f.parameter] === "string") && statedText(t) !== undefined,
    );
    expect(task).toBeDefined();
    const t = task as Task;
    for (const feed of t.feeds) expect(t.intents[feed.call]).toContain("from the");
    expect(t.instruction).toContain(String(statedText(t)));
  });

  it("the gold calls pass the judge and leave every distractor as it was", async () => {
    const task = example.bench.writeTask((t) => t.distractors.length > 0);
    const trajectory = await example.bench.craft(task, task.gold_calls);
    const verdict = await example.bench.judgeTrajectory(task, trajectory);
    expect(verdict).toMatchObject({ passed: true, failed: null });
    const initial = example.bench.initial(task);
    const env = await example.bench.sandbox.open(await example.bench.module(task.domain), initial as JsonObject, {
      clock: task.clock,
      seed: task.seed,
    });
    const gold = await env.runEpisode({ calls: task.gold_calls, exportState: true });
    await env.close();
    expect(gold.stateHash).toBe(task.gold_state_hash);
    const final = gold.state as DomainState;
    for (const d of task.distractors) expect(final[d.table]?.[d.key]).toEqual(initial[d.table]?.[d.key]);
  });
});

describe("task lint", () => {
  const lint = async (task: Task) => {
    const initial = example.bench.initial(task);
    const env = await example.bench.sandbox.open(await example.bench.module(task.domain), initial as JsonObject, {
      clock: task.clock,
      seed: task.seed,
    });
    try {
      const schema = example.run.json<DomainSchema>(`envs/${task.domain}/schema.json`);
      return await lintTask(task, initial, env, schema, environmentModels(schema, example.bench.spec(task.domain)));
    } finally {
      await env.close();
    }
  };

  it("passes every kept task", async () => {
    for (const task of example.bench.tasks.slice(0, 8)) expect(await lint(task)).toEqual({ ok: true });
  });

  it("drops a task whose gold call names a record missing from the initial state", async () => {
    const original = example.bench.writeTask();
    const task: Task = {
      ...structuredClone(original),
      initial_state: structuredClone(example.bench.initial(original)) as Task["initial_state"],
    };
    const state = task.initial_state as DomainState;
    // Remove the record the first id-taking call names from the initial state.
    const schema = example.run.json<DomainSchema>(`envs/${task.domain}/schema.json`);
    let removed = false;
    for (const call of task.gold_calls) {
      for (const value of Object.values(call.arguments)) {
        for (const table of schema.tables) {
          if (!removed && typeof value !== "object" && state[table.name]?.[String(value)]) {
            delete state[table.name]?.[String(value)];
            removed = true;
          }
        }
      }
    }
    expect(removed).toBe(true);
    // Make the hash match the edited state, so that only the missing id is at fault.
    const env = await example.bench.sandbox.open(await example.bench.module(task.domain), task.initial_state as JsonObject, {
      clock: task.clock,
      seed: task.seed,
    });
    task.initial_state_hash = await env.stateHash();
    await env.close();
    const result = await lint(task);
    expect(result).toMatchObject({ ok: false, reason: "unknown-id" });
    expect(result.ok === false && result.detail).toMatch(/names no .* of the initial state/);
  });

  it("drops a write task that a do-nothing agent would pass", async () => {
    const read = example.bench.readTask();
    const task: Task = { ...structuredClone(read), read_only: false };
    expect(await lint(task)).toMatchObject({ ok: false, reason: "do-nothing-passes" });
    // The same calls as a read-only task are fine: its facts must reach the user.
    expect(await lint(read)).toEqual({ ok: true });
  });

  it("drops a read-only task that an agent making the reads and saying nothing would pass", async () => {
    const task: Task = { ...structuredClone(example.bench.readTask()), answer_facts: [] };
    const result = await lint(task);
    expect(result).toMatchObject({ ok: false, reason: "silent-reads-pass" });
    expect(result.ok === false && result.detail).toContain(task.gold_calls[0]?.tool);
  });

  it("drops a task whose gold hash its calls do not reproduce", async () => {
    const task = { ...structuredClone(example.bench.writeTask()), gold_state_hash: "0".repeat(64) };
    expect(await lint(task)).toMatchObject({ ok: false, reason: "replay-mismatch" });
  });
});
