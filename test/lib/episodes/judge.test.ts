// The judge (validity, state alignment, exact match) on crafted trajectories: dialogues whose tool calls
// really run in the task's environment.
import { describe, expect, it } from "vitest";
import type { Task } from "../../../lib/contracts/task.ts";
import type { Trajectory } from "../../../lib/contracts/trajectory.ts";
import { exampleWorkbench } from "../../support/example.ts";

const example = exampleWorkbench();

/** A final answer that states every fact a read-only task asks for. */
const told_ = (task: Task) => `Here is what I found: ${(task.answer_facts ?? []).map((f) => `${f.path} is ${f.value}`).join("; ")}.`;

describe("filter on crafted trajectories", () => {
  it("validity: rejects malformed arguments, unknown tools, unanswered calls, loops, degenerate text and dialogues that never end", async () => {
    const task = example.bench.writeTask();
    const [first, ...rest] = task.gold_calls;
    const args = JSON.stringify(first?.arguments);
    const cases: [string, Trajectory, RegExp][] = [
      [
        "malformed",
        await example.bench.craft(task, [{ tool: first?.tool as string, arguments: args.slice(0, -1) }, ...task.gold_calls]),
        /malformed call/,
      ],
      ["unknown tool", await example.bench.craft(task, [{ tool: "drop_database", arguments: {} }, ...task.gold_calls]), /not a tool here/],
      ["loop", await example.bench.craft(task, [first, first, first, ...rest] as Task["gold_calls"]), /same action 3 times/],
      [
        "degenerate",
        await example.bench.craft(task, task.gold_calls, { texts: ["done done done done done done done done done done done done"] }),
        /degenerate text/,
      ],
      ["no end", await example.bench.craft(task, task.gold_calls, { ended: "turn-limit" }), /did not terminate/],
    ];
    const unanswered = await example.bench.craft(task, task.gold_calls);
    unanswered.messages.splice(3, 1);
    cases.push(["unanswered", unanswered, /never answered/]);
    for (const [name, trajectory, reason] of cases) {
      const verdict = await example.bench.judgeTrajectory(task, trajectory);
      expect(verdict.failed, name).toBe("validity");
      expect(verdict.reasons.join("\n"), name).toMatch(reason);
    }
  });

  it("state alignment: rejects a skipped write and a write on a look-alike record", async () => {
    const task = example.bench.writeTask((t, writes) => t.gold_calls.length >= 1 && writes.some(Boolean));
    const skip = example.bench.writes(task).lastIndexOf(true);
    const skipped = await example.bench.craft(
      task,
      task.gold_calls.filter((_, i) => i !== skip),
    );
    const verdict = await example.bench.judgeTrajectory(task, skipped);
    expect(verdict.failed).toBe("state-alignment");
    expect(verdict.alignment?.diffs.length).toBeGreaterThan(0);

    const withTwin = example.bench.writeTask((t, writes) =>
      t.gold_calls.some(
        (c, i) => writes[i] && Object.values(c.arguments).some((v) => t.distractors.some((d) => d.resembles === String(v))),
      ),
    );
    const at = withTwin.gold_calls.findIndex(
      (c, i) =>
        example.bench.writes(withTwin)[i] &&
        Object.values(c.arguments).some((v) => withTwin.distractors.some((d) => d.resembles === String(v))),
    );
    const call = withTwin.gold_calls[at] as Task["gold_calls"][number];
    const [name, value] = Object.entries(call.arguments).find(([, v]) => withTwin.distractors.some((d) => d.resembles === String(v))) as [
      string,
      unknown,
    ];
    const twin = withTwin.distractors.find((d) => d.resembles === String(value))?.key as string;
    const careless = await example.bench.craft(withTwin, [
      ...withTwin.gold_calls,
      { tool: call.tool, arguments: { ...call.arguments, [name]: typeof value === "number" ? Number(twin) : twin } },
    ]);
    const touched = await example.bench.judgeTrajectory(withTwin, careless);
    expect(touched.failed).toBe("state-alignment");
    expect(JSON.stringify(touched.alignment?.diffs)).toContain(twin);
  });

  it("keeps a trajectory whose refused call was followed by the right one", async () => {
    const task = example.bench.writeTask();
    const first = task.gold_calls[0] as Task["gold_calls"][number];
    const trajectory = await example.bench.craft(task, [{ tool: first.tool, arguments: {} }, ...task.gold_calls]);
    expect(trajectory.tool_errors).toBe(1);
    const verdict = await example.bench.judgeTrajectory(task, trajectory);
    expect(verdict).toMatchObject({ passed: true, toolErrors: 1 });
  });

  it("exact match: strict for read-only tasks, order-free only between independent calls", async () => {
    const read = example.bench.readTask();
    const told = { texts: [told_(read)] };
    const call = read.gold_calls[0] as Task["gold_calls"][number];
    const changed = Object.fromEntries(Object.entries(call.arguments).map(([k, v]) => [k, typeof v === "number" ? v + 1 : v]));
    const extra = await example.bench.craft(read, [...read.gold_calls, read.gold_calls[0] as Task["gold_calls"][number]], told);
    expect((await example.bench.judgeTrajectory(read, extra)).failed).toBe("exact-match");
    if (JSON.stringify(changed) !== JSON.stringify(call.arguments)) {
      const wrong = await example.bench.craft(read, [{ tool: call.tool, arguments: changed }, ...read.gold_calls], told);
      expect((await example.bench.judgeTrajectory(read, wrong)).failed).toBe("exact-match");
    }
    // Two fed calls in the wrong order: the later one cannot run before its source.
    const fed = example.bench.tasks.find((t) => !t.read_only && t.feeds.length > 0) as Task;
    const feed = fed.feeds[0] as Task["feeds"][number];
    const swapped = [...fed.gold_calls];
    [swapped[feed.from], swapped[feed.call]] = [swapped[feed.call] as never, swapped[feed.from] as never];
    const verdict = await example.bench.judgeTrajectory(fed, await example.bench.craft(fed, swapped));
    expect(verdict.passed).toBe(false);
  });
});

describe("read-only tasks: the reads made and their facts told", () => {
  it("do-nothing, silent reads and facts without the reads earn nothing; the reads and their facts, told in any spelling, pass", async () => {
    for (const read of example.bench.tasks.filter((t) => t.read_only)) {
      expect(read.answer_facts?.length, read.id).toBeGreaterThan(0);
      const nothing = await example.bench.judgeTrajectory(read, await example.bench.craft(read, [], { texts: ["All done."] }));
      expect(nothing.failed, read.id).toBe("state-alignment");
      expect(nothing.reasons.join("\n")).toMatch(/never made/);
      expect(nothing.rule).toMatch(/^a read-only task: the reads it asks for are made, and the answer to the user states /);

      const silent = await example.bench.judgeTrajectory(read, await example.bench.craft(read, read.gold_calls, { texts: ["All done."] }));
      expect(silent.failed, read.id).toBe("state-alignment");
      expect(silent.reasons.join("\n")).toMatch(/does not state/);

      const guessed = await example.bench.judgeTrajectory(read, await example.bench.craft(read, [], { texts: [told_(read)] }));
      expect(guessed.failed, read.id).toBe("state-alignment");

      const answered = await example.bench.judgeTrajectory(
        read,
        await example.bench.craft(read, read.gold_calls, { texts: [told_(read)] }),
      );
      expect(answered, read.id).toMatchObject({ passed: true, failed: null });
    }
    // Numbers as people write them: thousands separators, a currency sign, trailing zeros.
    const numeric = example.bench.tasks.find((t) => t.read_only && t.answer_facts?.some((f) => typeof f.value === "number")) as Task;
    const spelled = (numeric.answer_facts ?? [])
      .map((f) => (typeof f.value === "number" ? `$${f.value.toLocaleString("en-US", { minimumFractionDigits: 2 })}` : f.value))
      .join(", ");
    const verdict = await example.bench.judgeTrajectory(
      numeric,
      await example.bench.craft(numeric, numeric.gold_calls, { texts: [spelled] }),
    );
    expect(verdict.passed).toBe(true);
  });
});
