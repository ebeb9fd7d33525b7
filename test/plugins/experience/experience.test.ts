// Tasks, lint, the three filters on crafted trajectories, and eval rollouts, on one offline run of
// the example catalog.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateRollouts, scores } from "../../../cli/eval-rollouts-command.ts";
import type { DomainSchema } from "../../../contracts/domain-schema.ts";
import type { DomainState } from "../../../contracts/domain-state.ts";
import type { Funnel } from "../../../contracts/judgement.ts";
import type { Task, TaskLint } from "../../../contracts/task.ts";
import type { Trajectory } from "../../../contracts/trajectory.ts";
import { environmentModels } from "../../../episodes/environment-module.ts";
import { judgeTrajectory } from "../../../episodes/judge/judge.ts";
import { defaultValidityRules } from "../../../episodes/judge/validity.ts";
import type { JsonObject } from "../../../kernel/canonical-json.ts";
import { lintTask } from "../../../plugins/tasks/lint.ts";
import { jsonLines, runExample, Workbench } from "../../support/example.ts";
import type { PipelineRun } from "../../support/pipeline.ts";

let run: PipelineRun;
let bench: Workbench;
const judgeOptions = { validity: defaultValidityRules, exactMatch: true };

beforeAll(async () => {
  run = await runExample();
  bench = await Workbench.open(run);
}, 90_000);

afterAll(async () => {
  await bench?.close();
});

const writeTask = (predicate: (task: Task, writes: boolean[]) => boolean = () => true) => {
  const task = bench.tasks.find((t) => !t.read_only && predicate(t, bench.writes(t)));
  if (!task) throw new Error("the example run has no write task of that shape");
  return task;
};
const readTask = () => {
  const task = bench.tasks.find((t) => t.read_only);
  if (!task) throw new Error("the example run has no read-only task");
  return task;
};
const judge = (task: Task, trajectory: Trajectory) => judgeTrajectory(bench.judge, task, trajectory, judgeOptions);

describe("tasks", () => {
  it("keeps tasks on every domain, each with the promised fields and a state the gold calls change", () => {
    const lint = run.json<TaskLint>("task-lint.json");
    expect(bench.tasks.length).toBe(lint.kept);
    expect(new Set(bench.tasks.map((t) => t.domain)).size).toBe(5);
    for (const task of bench.tasks) {
      expect(task.id).toMatch(new RegExp(`^${task.domain}-\\d{3}$`));
      expect(task.instruction.length).toBeGreaterThan(10);
      expect(task.gold_calls.length).toBeGreaterThan(0);
      expect(task.initial_state_hash).toMatch(/^[0-9a-f]{64}$/);
      if (!task.read_only) expect(task.gold_state_hash).not.toBe(task.initial_state_hash);
      else expect(task.gold_state_hash).toBe(task.initial_state_hash);
      for (const d of task.distractors) expect(task.initial_state[d.table]?.[d.key]).toBeDefined();
    }
    expect(bench.tasks.some((t) => t.read_only)).toBe(true);
    expect(bench.tasks.some((t) => t.feeds.length > 0)).toBe(true);
    expect(bench.tasks.some((t) => t.distractors.length > 0)).toBe(true);
    expect(bench.tasks.some((t) => t.chain.expanded.length > 0)).toBe(true);
  });

  it("fed arguments are not stated in the rule-written instruction; stated ones are", () => {
    const task = bench.tasks.find((t) => t.feeds.some((f) => typeof t.gold_calls[f.call]?.arguments[f.parameter] === "string"));
    expect(task).toBeDefined();
    const t = task as Task;
    for (const feed of t.feeds) expect(t.intents[feed.call]).toContain("from the");
    const first = Object.values(t.gold_calls[0]?.arguments ?? {}).find((v) => typeof v === "string");
    if (first) expect(t.instruction).toContain(String(first));
  });

  it("the gold calls pass the judge and leave every distractor as it was", async () => {
    const task = writeTask((t) => t.distractors.length > 0);
    const trajectory = await bench.craft(task, task.gold_calls);
    const verdict = await judge(task, trajectory);
    expect(verdict).toMatchObject({ passed: true, failed: null });
    const env = await bench.sandbox.open(await bench.module(task.domain), task.initial_state as JsonObject, {
      clock: task.clock,
      seed: task.seed,
    });
    const gold = await env.runEpisode({ calls: task.gold_calls, exportState: true });
    await env.close();
    expect(gold.stateHash).toBe(task.gold_state_hash);
    const final = gold.state as DomainState;
    for (const d of task.distractors) expect(final[d.table]?.[d.key]).toEqual(task.initial_state[d.table]?.[d.key]);
  });
});

describe("task lint", () => {
  const lint = async (task: Task) => {
    const env = await bench.sandbox.open(await bench.module(task.domain), task.initial_state as JsonObject, {
      clock: task.clock,
      seed: task.seed,
    });
    try {
      const schema = run.json<DomainSchema>(`envs/${task.domain}/schema.json`);
      return await lintTask(task, env, schema, environmentModels(schema, bench.spec(task.domain)));
    } finally {
      await env.close();
    }
  };

  it("passes every kept task", async () => {
    for (const task of bench.tasks.slice(0, 8)) expect(await lint(task)).toEqual({ ok: true });
  });

  it("drops a task whose gold call names a record missing from the initial state", async () => {
    const task = structuredClone(writeTask());
    // Remove the record the first id-taking call names from the initial state.
    const schema = run.json<DomainSchema>(`envs/${task.domain}/schema.json`);
    let removed = false;
    for (const call of task.gold_calls) {
      for (const value of Object.values(call.arguments)) {
        for (const table of schema.tables) {
          if (!removed && typeof value !== "object" && task.initial_state[table.name]?.[String(value)]) {
            delete task.initial_state[table.name]?.[String(value)];
            removed = true;
          }
        }
      }
    }
    expect(removed).toBe(true);
    // Make the hash match the edited state, so that only the missing id is at fault.
    const env = await bench.sandbox.open(await bench.module(task.domain), task.initial_state as JsonObject, {
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
    const read = readTask();
    const task: Task = { ...structuredClone(read), read_only: false };
    expect(await lint(task)).toMatchObject({ ok: false, reason: "do-nothing-passes" });
    // The same calls as a read-only task are fine: exact match judges those.
    expect(await lint(read)).toEqual({ ok: true });
  });

  it("drops a task whose gold hash its calls do not reproduce", async () => {
    const task = { ...structuredClone(writeTask()), gold_state_hash: "0".repeat(64) };
    expect(await lint(task)).toMatchObject({ ok: false, reason: "replay-mismatch" });
  });
});

describe("filter on crafted trajectories", () => {
  it("validity: rejects malformed arguments, unknown tools, unanswered calls, loops, degenerate text and dialogues that never end", async () => {
    const task = writeTask();
    const [first, ...rest] = task.gold_calls;
    const args = JSON.stringify(first?.arguments);
    const cases: [string, Trajectory, RegExp][] = [
      [
        "malformed",
        await bench.craft(task, [{ tool: first?.tool as string, arguments: args.slice(0, -1) }, ...task.gold_calls]),
        /malformed call/,
      ],
      ["unknown tool", await bench.craft(task, [{ tool: "drop_database", arguments: {} }, ...task.gold_calls]), /not a tool here/],
      ["loop", await bench.craft(task, [first, first, first, ...rest] as Task["gold_calls"]), /same action 3 times/],
      [
        "degenerate",
        await bench.craft(task, task.gold_calls, { texts: ["done done done done done done done done done done done done"] }),
        /degenerate text/,
      ],
      ["no end", await bench.craft(task, task.gold_calls, { ended: "turn-limit" }), /did not terminate/],
    ];
    const unanswered = await bench.craft(task, task.gold_calls);
    unanswered.messages.splice(3, 1);
    cases.push(["unanswered", unanswered, /never answered/]);
    for (const [name, trajectory, reason] of cases) {
      const verdict = await judge(task, trajectory);
      expect(verdict.failed, name).toBe("validity");
      expect(verdict.reasons.join("\n"), name).toMatch(reason);
    }
  });

  it("state alignment: rejects a skipped write and a write on a look-alike record", async () => {
    const task = writeTask((t, writes) => t.gold_calls.length >= 1 && writes.some(Boolean));
    const skip = bench.writes(task).lastIndexOf(true);
    const skipped = await bench.craft(
      task,
      task.gold_calls.filter((_, i) => i !== skip),
    );
    const verdict = await judge(task, skipped);
    expect(verdict.failed).toBe("state-alignment");
    expect(verdict.alignment?.diffs.length).toBeGreaterThan(0);

    const withTwin = writeTask((t, writes) =>
      t.gold_calls.some(
        (c, i) => writes[i] && Object.values(c.arguments).some((v) => t.distractors.some((d) => d.resembles === String(v))),
      ),
    );
    const at = withTwin.gold_calls.findIndex(
      (c, i) =>
        bench.writes(withTwin)[i] && Object.values(c.arguments).some((v) => withTwin.distractors.some((d) => d.resembles === String(v))),
    );
    const call = withTwin.gold_calls[at] as Task["gold_calls"][number];
    const [name, value] = Object.entries(call.arguments).find(([, v]) => withTwin.distractors.some((d) => d.resembles === String(v))) as [
      string,
      unknown,
    ];
    const twin = withTwin.distractors.find((d) => d.resembles === String(value))?.key as string;
    const careless = await bench.craft(withTwin, [
      ...withTwin.gold_calls,
      { tool: call.tool, arguments: { ...call.arguments, [name]: typeof value === "number" ? Number(twin) : twin } },
    ]);
    const touched = await judge(withTwin, careless);
    expect(touched.failed).toBe("state-alignment");
    expect(JSON.stringify(touched.alignment?.diffs)).toContain(twin);
  });

  it("keeps a trajectory whose refused call was followed by the right one", async () => {
    const task = writeTask();
    const first = task.gold_calls[0] as Task["gold_calls"][number];
    const trajectory = await bench.craft(task, [{ tool: first.tool, arguments: {} }, ...task.gold_calls]);
    expect(trajectory.tool_errors).toBe(1);
    const verdict = await judge(task, trajectory);
    expect(verdict).toMatchObject({ passed: true, toolErrors: 1 });
  });

  it("exact match: strict for read-only tasks, order-free only between independent calls", async () => {
    const read = readTask();
    const call = read.gold_calls[0] as Task["gold_calls"][number];
    const changed = Object.fromEntries(Object.entries(call.arguments).map(([k, v]) => [k, typeof v === "number" ? v + 1 : v]));
    const extra = await bench.craft(read, [...read.gold_calls, read.gold_calls[0] as Task["gold_calls"][number]]);
    expect((await judge(read, extra)).failed).toBe("exact-match");
    if (JSON.stringify(changed) !== JSON.stringify(call.arguments)) {
      const wrong = await bench.craft(read, [{ tool: call.tool, arguments: changed }, ...read.gold_calls.slice(1)]);
      expect((await judge(read, wrong)).failed).toBe("exact-match");
    }
    // Two fed calls in the wrong order: the later one cannot run before its source.
    const fed = bench.tasks.find((t) => !t.read_only && t.feeds.length > 0) as Task;
    const feed = fed.feeds[0] as Task["feeds"][number];
    const swapped = [...fed.gold_calls];
    [swapped[feed.from], swapped[feed.call]] = [swapped[feed.call] as never, swapped[feed.from] as never];
    const verdict = await judge(fed, await bench.craft(fed, swapped));
    expect(verdict.passed).toBe(false);
  });
});

describe("rollouts, funnel and eval", () => {
  it("the funnel counts every trajectory; planted mistakes are caught where they should be, clean rollouts all kept", () => {
    const funnel = run.json<Funnel>("funnel.json");
    const trajectories = jsonLines<Trajectory>(run.text("trajectories.jsonl"));
    expect(funnel.total.trajectories).toBe(trajectories.length);
    expect(funnel.total.kept).toBe(jsonLines(run.text("sft-candidates.jsonl")).length);
    expect(funnel.total.trajectories - funnel.total.kept).toBe(jsonLines(run.text("rejected-trajectories.jsonl")).length);
    expect(funnel.total.valid).toBeGreaterThanOrEqual(funnel.total.aligned);
    expect(funnel.total.aligned).toBeGreaterThanOrEqual(funnel.total.exact_match);
    expect(Object.keys(funnel.mistakes.none ?? {})).toEqual(["kept"]);
    for (const kind of ["malformed-call", "repetition"])
      if (funnel.mistakes[kind]) expect(Object.keys(funnel.mistakes[kind])).toEqual(["validity"]);
    const domains = Object.values(funnel.domains);
    expect(domains.reduce((n, d) => n + d.trajectories, 0)).toBe(funnel.total.trajectories);
    for (const t of trajectories) {
      expect(t.messages[0]?.role).toBe("system");
      expect(t.final_state_hash).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it("eval rollouts reports pass^k ≤ pass@k per domain over k seeded attempts", async () => {
    const result = await evaluateRollouts(run.runDir, { k: 3, concurrency: 8 });
    expect(result.overall.tasks).toBe(bench.tasks.length);
    expect(Object.keys(result.domains).length).toBe(5);
    for (const score of [...Object.values(result.domains), result.overall]) {
      expect(score.pass_hat_k).toBeLessThanOrEqual(score.pass_at_k);
      expect(score.pass_rate).toBeGreaterThanOrEqual(score.pass_hat_k);
      expect(score.pass_rate).toBeLessThanOrEqual(score.pass_at_k);
    }
    // Seeded mistakes make attempts differ: some task passes some but not all of them.
    expect(result.overall.pass_hat_k).toBeLessThan(result.overall.pass_at_k);
  }, 60_000);

  it("scores: pass^k counts tasks with every attempt passing, pass@k tasks with any", () => {
    expect(scores([4, 2, 0, 4], 4)).toEqual({ tasks: 4, pass_hat_k: 0.5, pass_at_k: 0.75, pass_rate: 0.625 });
  });
});
