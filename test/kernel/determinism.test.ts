// Two runs of the example catalog with the same seed write byte-identical artifacts.
import { beforeAll, describe, expect, it } from "vitest";
import { artifactDigest, artifactFiles, digestDifferences } from "../support/artifacts.ts";
import { runExample } from "../support/example.ts";
import type { PipelineRun } from "../support/pipeline.ts";

let first: PipelineRun;
let second: PipelineRun;

beforeAll(async () => {
  first = await runExample();
  second = await runExample();
}, 120_000);

describe("determinism", () => {
  it("two runs with the same seed write byte-identical artifacts", () => {
    const files = artifactFiles(first.runDir);
    expect(files).toContain("tasks.jsonl");
    expect(files).toContain("cpt/packed-32k.jsonl");
    expect(digestDifferences(artifactDigest(first.runDir), artifactDigest(second.runDir))).toEqual([]);
  });
});
