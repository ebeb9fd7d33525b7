// Cached runs: an unchanged re-run reuses every stage, and a new folder with the same seed gets the same bytes.
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../support/helpers.ts";
import { type PipelineRun, runStages } from "../support/pipeline.ts";

const exampleCatalog = join(repoRoot, "examples", "catalog");
let run: PipelineRun;

beforeAll(async () => {
  run = await runStages({ config: { stages: { ingest: { sources: [exampleCatalog] } } } });
}, 60_000);

describe("an offline run on the example catalog", () => {
  it("reuses every stage on an unchanged re-run, and a new folder with the same seed gets the same bytes", async () => {
    const again = await runStages({ config: { stages: { ingest: { sources: [exampleCatalog] } } }, runDir: run.runDir });
    expect(again.outcomes.map((o) => o.status)).toEqual(again.outcomes.map((o) => (o.stage === "propose-tools" ? o.status : "cached")));
    const fresh = await runStages({ config: { stages: { ingest: { sources: [exampleCatalog] } } } });
    for (const stage of ["schema", "codegen", "verify", "dependencies"]) {
      const hashes = (r: PipelineRun) =>
        Object.fromEntries(Object.entries(r.manifest.stages[stage]?.outputs ?? {}).map(([kind, out]) => [kind, out.hash]));
      expect(hashes(fresh), stage).toEqual(hashes(run));
    }
  }, 60_000);
});
