// Rewards a policy could learn from: on every kept task, doing nothing and making only the reads
// without telling the user earn 0, through /verify and in live episodes; the gold calls (and, for a
// read-only task, its facts told) earn 1. The verdict names the rule the reward follows.
import { describe, expect, it } from "vitest";
import type { Task } from "../../../lib/contracts/task.ts";
import { connect, type Json, post, type Served, serveExampleRun } from "../../support/server.ts";

let served: Served;

serveExampleRun((ready) => {
  served = ready;
});

/** An answer that states every fact a read-only task asks for. */
const told = (task: Task) => `I found this: ${(task.answer_facts ?? []).map((f) => `${f.path} ${f.value}`).join(", ")}.`;

describe("rewards through /verify, on every kept task", () => {
  it("doing nothing earns 0, the reads without a word earn 0, the gold calls (with the facts told) earn 1", async () => {
    expect(served.tasks.some((t) => t.read_only)).toBe(true);
    for (const task of served.tasks) {
      const verify = (calls: Task["gold_calls"], answer: string) =>
        post(served.base, "/verify", { task_id: task.id, calls, answer }).then((r) => r.json);
      const nothing = await verify([], "");
      expect(nothing.reward, `${task.id} do-nothing`).toBe(0);
      expect(nothing.rule).toMatch(task.read_only ? /^a read-only task/ : /^the final database equals the gold state/);
      const reads = task.gold_calls.filter((call) => readsOnly(task, call.tool));
      expect((await verify(reads, "")).reward, `${task.id} silent reads`).toBe(0);
      expect((await verify(task.gold_calls, task.read_only ? told(task) : "")).reward, `${task.id} gold`).toBe(1);
    }
  });
});

describe("rewards in live episodes", () => {
  it("a read-only task over /ws: nothing 0, silent reads 0, the reads and the facts told 1", async () => {
    const read = served.tasks.find((t) => t.read_only) as Task;
    const ws = await connect(served.ws);
    const episode = async (calls: Task["gold_calls"], words: string) => {
      await ws.send({ type: "reset", data: { task_id: read.id } });
      for (const call of calls) await ws.send({ type: "step", data: { tool: call.tool, arguments: call.arguments } });
      return (await ws.send({ type: "step", data: { message: words, end: true } })).data;
    };
    const nothing = await episode([], "Nothing to report.");
    expect(nothing).toMatchObject({ done: true, reward: 0 });
    expect(nothing.observation.verdict.reasons.join(" ")).toMatch(/never made/);
    const silent = await episode(read.gold_calls, "Done.");
    expect(silent).toMatchObject({ done: true, reward: 0 });
    expect(silent.observation.verdict.reasons.join(" ")).toMatch(/does not state/);
    const answered = await episode(read.gold_calls, told(read));
    expect(answered).toMatchObject({ done: true, reward: 1 });
    expect(answered.observation.verdict).toMatchObject({ failed: null, reasons: [] });
    expect(answered.observation.verdict.rule).toMatch(/^a read-only task/);
    ws.close();
  });

  it("a writing task over HTTP: the gold calls 1, nothing 0; every episode has its own state", async () => {
    const task = served.tasks.find((t) => !t.read_only) as Task;
    const a = (await post(served.base, "/reset", { task_id: task.id })).json.observation.metadata;
    const b = (await post(served.base, "/reset", { task_id: task.id })).json.observation.metadata;
    const step = (episode: Json, action: unknown) =>
      post(served.base, "/step", { episode_id: episode.episode_id, session_secret: episode.session_secret, action });
    for (const call of task.gold_calls) await step(a, { tool: call.tool, arguments: call.arguments });
    const endB = await step(b, { message: "done", end: true });
    expect(endB.json).toMatchObject({ done: true, reward: 0 });
    expect(endB.json.observation.verdict.failed).toBe("state-alignment");
    const endA = await step(a, { message: "done", end: true });
    expect(endA.json).toMatchObject({ done: true, reward: 1 });
  });
});

/** Whether a tool of the task's domain only reads (the run's own environment spec says). */
function readsOnly(task: Task, tool: string): boolean {
  return served.run.environments[task.domain]?.tools.find((t) => t.name === tool)?.access !== "write";
}
