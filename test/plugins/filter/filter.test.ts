// The filter stage on an offline run: the funnel counts every trajectory, planted mistakes are caught where
// they should be.
import { beforeAll, describe, expect, it } from "vitest";
import type { Funnel } from "../../../lib/contracts/judgement.ts";
import type { Trajectory } from "../../../lib/contracts/trajectory.ts";
import { jsonLines, sharedExampleRun } from "../../support/example.ts";
import type { RunView } from "../../support/pipeline.ts";

let run: RunView;

beforeAll(async () => {
  run = sharedExampleRun();
}, 90_000);

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
    // The example run plants both (seeded); each is caught by validity, never later.
    for (const kind of ["malformed-call", "repetition"]) expect(Object.keys(funnel.mistakes[kind] ?? {})).toEqual(["validity"]);
    const domains = Object.values(funnel.domains);
    expect(domains.reduce((n, d) => n + d.trajectories, 0)).toBe(funnel.total.trajectories);
    for (const t of trajectories) {
      expect(t.messages[0]?.role).toBe("system");
      expect(t.final_state_hash).toMatch(/^[0-9a-f]{64}$/);
    }
  });
});
