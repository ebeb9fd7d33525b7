// A soak of `envscale serve` as a trainer runs it: its own process, episodes back to back over
// HTTP (reset, the gold calls, the answer, end, close). After a warm-up, the live memory of the
// server and of its sandbox processes (garbage-collected first: /info?collect=1) must not grow
// with the episodes served, nor their resident memory past a bound; sessions and warm
// environments stay within their caps. A leak of a few kilobytes per episode fails it.
// bench/serve-soak.bench.ts runs the same for as long as one likes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServeProcess, startServe, treeRss } from "../../../bench/support/serve-process.ts";
import { playEpisodes, type SoakSample, sampleMemory } from "../../../bench/support/soak.ts";
import type { Task } from "../../../lib/contracts/task.ts";
import { loadRun } from "../../../lib/episodes/run-directory.ts";
import { sharedExampleRun } from "../../support/example.ts";

let serve: ServeProcess;
let tasks: Task[];

beforeAll(async () => {
  const runDir = sharedExampleRun().runDir;
  tasks = (await loadRun(runDir)).tasks;
  serve = await startServe(runDir, ["--processes", "1"], { NODE_OPTIONS: "--expose-gc" });
}, 60_000);

afterAll(async () => {
  await serve?.stop();
});

describe("a soak of envscale serve", () => {
  it("holds its live memory flat over thousands of episodes", async () => {
    const warmUp = await playEpisodes(serve.address, tasks, 1200, 8);
    expect(warmUp.rewards).toEqual({ 1: 1200 });
    const samples: SoakSample[] = [await sampleMemory(serve)];
    for (let round = 0; round < 3; round++) {
      const played = await playEpisodes(serve.address, tasks, 800, 8);
      expect(played.rewards).toEqual({ 1: 800 });
      samples.push(await sampleMemory(serve));
    }
    const [first, last] = [samples[0] as SoakSample, samples.at(-1) as SoakSample];
    const report = samples.map((s) => JSON.stringify(s)).join("\n");
    // 2,400 episodes after the warm-up: live sizes within a few MB (1 KB an episode would be 2.4 MB).
    expect(last.serverHeapMb - first.serverHeapMb, report).toBeLessThan(3);
    expect(last.sandboxHeapMb - first.sandboxHeapMb, report).toBeLessThan(3);
    expect(last.isolatesHeapMb - first.isolatesHeapMb, report).toBeLessThan(4);
    // Resident memory moves with the allocators; it may not run away.
    expect(last.serverRssMb - first.serverRssMb, report).toBeLessThan(150);
    expect(last.sandboxRssMb - first.sandboxRssMb, report).toBeLessThan(150);
    for (const sample of samples) {
      expect(sample.sessions).toBe(0);
      expect(sample.warmEnvironments).toBeLessThanOrEqual(20);
    }
    expect(treeRss(serve.child.pid as number).processes).toBeGreaterThan(0);
  }, 180_000);
});
