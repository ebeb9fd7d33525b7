// `envscale eval rollouts`: pass^k and pass@k over k seeded attempts.
import { beforeAll, describe, expect, it } from "vitest";
import { evaluateRollouts, scores } from "../../../apps/cli/eval-rollouts-command.ts";
import { jsonLines, runExample } from "../../support/example.ts";
import type { PipelineRun } from "../../support/pipeline.ts";

let run: PipelineRun;

beforeAll(async () => {
  run = await runExample();
}, 90_000);

describe("rollouts, funnel and eval", () => {
  it("eval rollouts reports pass^k ≤ pass@k per domain over k seeded attempts", async () => {
    const result = await evaluateRollouts(run.runDir, { k: 3, concurrency: 8 });
    expect(result.overall.tasks).toBe(jsonLines(run.text("tasks.jsonl")).length);
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
